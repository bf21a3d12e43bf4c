using Loyalty.Email.Delivery;
using MimeKit;

namespace Loyalty.Email.Tests.Delivery;

public sealed class MessageIdFactoryTests
{
    private static readonly Guid RowId = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff");

    [Fact]
    public void The_message_id_is_the_row_id_at_the_domain_in_angle_brackets() =>
        MessageIdFactory.Create(RowId, "Mail.Shop.example").Should().Be("<6f9619ff8b86d011b42d00c04fc964ff@mail.shop.example>");

    [Fact]
    public void A_retry_of_the_same_row_gets_the_same_message_id()
    {
        var first = new MimeMessage();
        var retry = new MimeMessage();

        MessageIdFactory.Apply(first, RowId, "shop.example");
        MessageIdFactory.Apply(retry, RowId, "shop.example");

        first.MessageId.Should().Be("6f9619ff8b86d011b42d00c04fc964ff@shop.example").And.Be(retry.MessageId);
        first.Headers[HeaderId.MessageId].Should().Be("<6f9619ff8b86d011b42d00c04fc964ff@shop.example>");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("shop example")]
    [InlineData("shop.example>\r\nBcc: x")]
    [InlineData("a@b")]
    [InlineData(".shop.example")]
    [InlineData("shop..example")]
    public void A_domain_that_is_not_a_host_name_is_refused(string domain)
    {
        var create = () => MessageIdFactory.Create(RowId, domain);

        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void An_empty_row_id_is_refused()
    {
        var create = () => MessageIdFactory.Create(Guid.Empty, "shop.example");

        create.Should().Throw<ArgumentException>().WithParameterName("rowId");
    }
}
