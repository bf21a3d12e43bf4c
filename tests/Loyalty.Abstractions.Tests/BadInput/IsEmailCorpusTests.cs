using Loyalty.Events;
using Loyalty.Validation;
using Xunit.Abstractions;

namespace Loyalty.Abstractions.Tests.BadInput;

/// <summary>
/// Every address of the isemail corpus through <see cref="EmailAddressRules"/> and through the event validator.
/// The policy (docs/reliability-input.md): plain dot-atom addresses with a fully qualified domain are accepted;
/// quoted local parts, comments, folding white space, obsolete forms and address literals are refused on purpose.
/// </summary>
public sealed class IsEmailCorpusTests(ITestOutputHelper output)
{
    // isemail calls these valid; Loyalty refuses them on purpose: a domain without a dot (a bare TLD) is not
    // deliverable on the public Internet (RFC 7085) and is almost always a typo for a real address.
    private static readonly HashSet<string> BareTopLevelDomains = new(StringComparer.Ordinal) { "test@io", "test@org" };

    // isemail calls these valid; Loyalty refuses them on purpose: a domain label holds letters, digits and hyphens
    // only (IDNA 2008 refuses symbols such as emoji and unassigned code points, so such a domain cannot be registered).
    private static bool HasSymbolInDomain(string address) => address[(address.LastIndexOf('@') + 1)..].Any(char.IsSurrogate);

    private static bool RefusedOnPurposeAlthoughValid(string address) => BareTopLevelDomains.Contains(address) || HasSymbolInDomain(address);

    // rfc5321TLDNumeric ("test@iana.123", "test@255.255.255.255") are dot-atoms without quotes, comments or literals.
    private static bool IsPlainValid(string diagnosis) => diagnosis is "valid" or "rfc5321TLDNumeric";

    [Fact]
    public void Every_err_address_of_the_isemail_corpus_is_refused()
    {
        var errors = Corpus.IsEmailTests().Where(t => t.Diagnosis.StartsWith("err", StringComparison.Ordinal)).ToList();

        errors.Should().HaveCount(91);
        errors.Where(t => EmailAddressRules.IsValid(t.Address)).Select(t => $"{t.Address} ({t.Diagnosis})")
            .Should().BeEmpty("an address isemail calls an error must never be accepted");
    }

    [Fact]
    public void Every_plain_valid_address_of_the_isemail_corpus_is_accepted_except_bare_top_level_and_symbol_domains()
    {
        var plain = Corpus.IsEmailTests().Where(t => IsPlainValid(t.Diagnosis)).ToList();

        plain.Should().HaveCount(22);
        plain.Where(t => !RefusedOnPurposeAlthoughValid(t.Address) && !EmailAddressRules.IsValid(t.Address))
            .Select(t => $"{t.Address} ({t.Diagnosis}): {EmailAddressRules.Check(t.Address)}")
            .Should().BeEmpty();
        plain.Where(t => BareTopLevelDomains.Contains(t.Address)).Select(t => EmailAddressRules.Check(t.Address))
            .Should().HaveCount(2).And.OnlyContain(reason => reason!.Contains("without a dot", StringComparison.Ordinal));
        plain.Where(t => HasSymbolInDomain(t.Address)).Select(t => EmailAddressRules.Check(t.Address))
            .Should().HaveCount(2).And.OnlyContain(reason => reason!.Contains("in the domain, which is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void Quoted_commented_obsolete_and_literal_forms_are_refused()
    {
        var others = Corpus.IsEmailTests()
            .Where(t => !t.Diagnosis.StartsWith("err", StringComparison.Ordinal) && !IsPlainValid(t.Diagnosis))
            .ToList();

        others.Where(t => EmailAddressRules.IsValid(t.Address)).Select(t => $"{t.Address} ({t.Diagnosis})")
            .Should().BeEmpty("quoted strings, comments, folding white space, obsolete forms, address literals and over-long parts are refused on purpose");
    }

    [Fact]
    public void The_event_validator_gives_the_same_verdict_for_every_corpus_address_and_never_throws_anything_else()
    {
        var validator = new LoyaltyEventValidator(new LoyaltyInputLimits());
        var rows = new SortedDictionary<string, (int Total, int Accepted, int Refused)>(StringComparer.Ordinal);
        foreach (var (address, diagnosis) in Corpus.IsEmailTests())
        {
            var customerEvent = new CustomerUpserted
            {
                EventId = "evt-1",
                CustomerId = "cust-1",
                OccurredAt = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
                Customer = new CustomerSnapshot { Email = address },
            };
            var refused = false;
            try
            {
                validator.ThrowIfInvalid(customerEvent);
            }
            catch (EventValidationException ex)
            {
                ex.Problems.Should().ContainSingle().Which.Field.Should().Be("Customer.Email");
                refused = true;
            }

            refused.Should().Be(!EmailAddressRules.IsValid(address), address);
            var category = Category(diagnosis);
            var (total, accepted, refusedCount) = rows.GetValueOrDefault(category);
            rows[category] = (total + 1, accepted + (refused ? 0 : 1), refusedCount + (refused ? 1 : 0));
        }

        output.WriteLine("| isemail diagnosis | addresses | accepted | refused |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (var (category, (total, accepted, refusedCount)) in rows)
        {
            output.WriteLine($"| {category} | {total} | {accepted} | {refusedCount} |");
        }

        rows.Values.Sum(r => r.Total).Should().Be(Corpus.IsEmailTests().Count);
    }

    private static string Category(string diagnosis) => diagnosis switch
    {
        _ when diagnosis.StartsWith("err", StringComparison.Ordinal) => "err* (" + diagnosis + ")",
        _ => diagnosis,
    };
}
