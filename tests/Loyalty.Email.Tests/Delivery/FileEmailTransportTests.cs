using Loyalty.Email.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

public sealed class FileEmailTransportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loyalty-mailbox-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Written_messages_are_parseable_eml_files_that_the_reader_lists_newest_first()
    {
        var transport = Transport();
        var first = TestMessages.To("ann@example.net", subject: "First order — 謝謝");
        var second = TestMessages.To("bob@example.net", subject: "Second order — ขอบคุณ");

        var firstResult = await transport.SendAsync(first, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await transport.SendAsync(second, CancellationToken.None);
        var items = await new MailboxReader(_directory).ListAsync();

        firstResult.Outcome.Should().Be(DeliveryOutcome.Delivered);
        Directory.GetFiles(_directory).Should().HaveCount(2).And.OnlyContain(f => f.EndsWith(".eml", StringComparison.Ordinal));
        items.Select(i => i.Message.Subject).Should().Equal("Second order — ขอบคุณ", "First order — 謝謝");
        items.Select(i => i.Message.MessageId).Should().Equal(second.MessageId, first.MessageId);
        items[0].WrittenAt.Should().Be(_clock.GetUtcNow());
        items[1].Message.TextBody.Should().Contain("kettle");
        items[1].Message.To.Mailboxes.Single().Address.Should().Be("ann@example.net");
    }

    [Fact]
    public async Task The_file_name_is_the_utc_time_and_a_hash_of_the_message_id()
    {
        var result = await Transport().SendAsync(TestMessages.To("ann@example.net"), CancellationToken.None);

        result.Reason.Should().MatchRegex("^20261122T0830000000000Z-[0-9a-f]{16}\\.eml$");
        File.Exists(Path.Combine(_directory, result.Reason!)).Should().BeTrue();
    }

    [Fact]
    public async Task A_message_can_be_found_by_its_id_and_an_id_outside_the_pattern_finds_nothing()
    {
        await Transport().SendAsync(TestMessages.To("ann@example.net"), CancellationToken.None);
        var reader = new MailboxReader(_directory);
        var listed = (await reader.ListAsync()).Single();

        (await reader.FindAsync(listed.Id))!.Message.MessageId.Should().Be(listed.Message.MessageId);
        (await reader.FindAsync("../../etc/passwd")).Should().BeNull();
        (await reader.FindAsync("20261122T0830000000000Z-0000000000000000")).Should().BeNull();
    }

    [Fact]
    public async Task The_reader_skips_temporary_and_foreign_files_and_respects_the_maximum()
    {
        var transport = Transport();
        for (var i = 0; i < 3; i++)
        {
            await transport.SendAsync(TestMessages.To($"c{i}@example.net"), CancellationToken.None);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, ".abc.tmp"), "partial");
        await File.WriteAllTextAsync(Path.Combine(_directory, "notes.eml"), "not ours");
        var items = await new MailboxReader(_directory).ListAsync(maxCount: 2);

        items.Select(i => i.Message.To.Mailboxes.Single().Address).Should().Equal("c2@example.net", "c1@example.net");
    }

    [Fact]
    public async Task A_missing_folder_is_an_empty_mailbox() =>
        (await new MailboxReader(_directory).ListAsync()).Should().BeEmpty();

    [Fact]
    public async Task A_message_without_exactly_one_recipient_is_refused()
    {
        var message = TestMessages.To("ann@example.net");
        message.Cc.Add(MailboxAddress.Parse("bob@example.net"));

        var send = () => Transport().SendAsync(message, CancellationToken.None);

        await send.Should().ThrowAsync<ArgumentException>();
        Directory.Exists(_directory).Should().BeFalse();
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_a_transient_failure()
    {
        var blocker = Path.Combine(Path.GetTempPath(), "loyalty-blocker-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(blocker, "a file where the folder should be");
        try
        {
            var transport = new FileEmailTransport(
                Options.Create(new FileTransportOptions { Directory = Path.Combine(blocker, "mail") }),
                _clock,
                NullLogger<FileEmailTransport>.Instance);

            var result = await transport.SendAsync(TestMessages.To("ann@example.net"), CancellationToken.None);

            result.Outcome.Should().Be(DeliveryOutcome.TransientFailure);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    private FileEmailTransport Transport() => new(
        Options.Create(new FileTransportOptions { Directory = _directory }),
        _clock,
        NullLogger<FileEmailTransport>.Instance);
}
