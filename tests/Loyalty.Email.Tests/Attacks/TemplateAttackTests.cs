using System.Collections.Concurrent;
using Loyalty.Email.Templates;
using Loyalty.Email.Templates.Liquid;
using Loyalty.Email.Tests.Templates;
using Xunit.Abstractions;

namespace Loyalty.Email.Tests.Attacks;

/// <summary>
/// Templates are edited by shop staff (semi-trusted). Each attack is stopped by a limit at render or refused at
/// validation with a clear error, within a bounded time (a guard, not a timing assertion) and bounded allocation; the
/// same renderer then renders a normal template (the host keeps serving other sends).
/// </summary>
public sealed class TemplateAttackTests(ITestOutputHelper output)
{
    // Generous: the machine is shared. An attack that is not stopped runs into it and fails the test clearly.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    // A render may build strings up to the output limit (1,000,000 characters, 2 MB) a few times; never hundreds of MB.
    private const long AllocationBound = 64L * 1024 * 1024;

    private const string Normal = "<p>Hi {{ customer.first_name }}, thanks for order {{ order.id }}.</p>";

    // 8,192 characters, built inside the template (an integrator needs no model field to amplify).
    private const string Big = "{% assign s = 'xxxxxxxx' %}{% for i in (1..10) %}{% assign s = s | append: s %}{% endfor %}";

    private sealed record Outcome(Exception? Error, RenderedEmail? Result, long Allocated);

    private static async Task<Outcome> RenderGuardedAsync(LiquidEmailTemplateRenderer renderer, string template, TemplateModel? model = null)
    {
        var render = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var result = renderer.Render(template, "en", model ?? TemplateDirectory.Model());
                return new Outcome(null, result, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (Exception ex)
            {
                return new Outcome(ex, null, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        return await render.WaitAsync(Guard);
    }

    private static async Task<Exception?> BuildGuardedAsync(TemplateDirectory dir)
    {
        var build = Task.Run(() =>
        {
            try
            {
                _ = dir.Renderer();
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        });
        return await build.WaitAsync(Guard);
    }

    public static TheoryData<string, string> StoppedAtRender() => new()
    {
        { "a loop of a billion iterations", "{% for i in (1..1000000000) %}x{% endfor %}" },
        { "nested loops with empty bodies", "{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}" },
        { "a loop with a huge offset", "{% for i in (1..2000000000) offset: 1999999000 %}x{% endfor %}" },
        { "nested loops amplifying output", Big + "{% for i in (1..200) %}{{ s }}{% endfor %}" },
        { "a string doubled forty times", "{% assign s = 'x' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}" },
        { "a string doubled by prepend", "{% assign s = 'x' %}{% for i in (1..40) %}{% assign s = s | prepend: s %}{% endfor %}" },
        { "a replace with an empty pattern", Big + "{{ s | replace: '', s }}" },
        { "a replace that multiplies every character", Big + "{{ s | replace: 'x', s }}" },
        { "a replace_first past the limit", Big + "{% for i in (1..8) %}{% assign s = s | replace_first: 'x', s %}{% endfor %}" },
        { "a join of a huge range", "{% assign r = (1..100000000) %}{{ r | join: ',' }}" },
        { "a capture amplifying output", Big + "{% capture c %}{% for i in (1..200) %}{{ s }}{% endfor %}{% endcapture %}{{ c | size }}" },
        { "newline_to_br on a huge text", "{% assign s = '\n' %}{% for i in (1..19) %}{% assign s = s | append: s %}{% endfor %}{{ s | newline_to_br }}" },
        { "escape on a huge text", "{% assign s = '<' %}{% for i in (1..19) %}{% assign s = s | append: s %}{% endfor %}{{ s | escape }}" },
        { "url_encode of a huge text", "{% assign s = '郵' %}{% for i in (1..17) %}{% assign s = s | append: s %}{% endfor %}{{ s | url_encode | size }}" },
        { "a sort of a huge range", "{{ (1..100000000) | sort | first }}" },
    };

    [Theory]
    [MemberData(nameof(StoppedAtRender))]
    public async Task A_runaway_template_is_stopped_by_a_limit_and_the_next_render_works(string attack, string html)
    {
        using var dir = new TemplateDirectory().WithTemplate("attack", html).WithTemplate("normal", Normal);
        var buildError = await BuildGuardedAsync(dir);
        if (buildError is not null)
        {
            // Refused at validation is as good as stopped at render, if it says where.
            buildError.Should().BeOfType<TemplateValidationException>(attack).Which.Message.Should().Contain("attack/default/html.liquid");
            output.WriteLine($"{attack}: refused at validation: {Short(buildError)}");
            return;
        }

        var renderer = dir.Renderer();
        var outcome = await RenderGuardedAsync(renderer, "attack");
        output.WriteLine($"{attack}: stopped at render ({outcome.Allocated / 1024 / 1024} MB allocated): {Short(outcome.Error)}");

        outcome.Error.Should().BeOfType<TemplateRenderException>("{0} must be stopped by a limit", attack);
        outcome.Error!.Message.Should().Contain("attack/default/html.liquid").And.MatchRegex("(?i)limit|exceed|more than");
        if (attack.Contains(" on a huge text", StringComparison.Ordinal) || attack.StartsWith("url_encode", StringComparison.Ordinal))
        {
            outcome.Error.Message.Should().NotContain("'append'", "the huge text is built under the limit; the filter under test must be the one stopped");
        }
        outcome.Allocated.Should().BeLessThan(AllocationBound, attack);
        (await RenderGuardedAsync(renderer, "normal")).Result!.Html.Should().Be("<p>Hi Mei, thanks for order A-1001.</p>");
    }

    public static TheoryData<string, string> RefusedAtValidation() => new()
    {
        { "pad_left with a huge width (a known template-engine advisory)", "{{ 'x' | pad_left: 2000000000 }}" },
        { "string.pad_left", "{{ string.pad_left 'x' 2000000000 }}" },
        { "pad_right", "{{ 'x' | pad_right: 2000000000 }}" },
        { "object.eval_template", "{{ object.eval_template '{{ 1 }}' }}" },
        { "object.typeof", "{{ object.typeof customer }}" },
        { "regex", "{{ regex.match 'aaaa' '(a+)+$' }}" },
        { "regex as a filter", "{{ 'aaaa' | regex.replace: '(a+)+$', 'b' }}" },
        { "date.now", "{{ date.now }}" },
        { "math.random", "{{ math.random 1 10 }}" },
        { "html.strip", "{{ html.strip '<b>x</b>' }}" },
        { "array.insert_at", "{{ array.insert_at order.lines 0 'x' }}" },
        { "timespan", "{{ timespan.from_days 1 }}" },
        { "include_join", "{{ include_join ['a','b'] }}" },
        { "import", "{{ import customer }}" },
        { "string multiplication", "{{ 'x' * 2000000000 }}" },
    };

    [Theory]
    [MemberData(nameof(RefusedAtValidation))]
    public async Task A_function_outside_the_filter_pack_is_refused_at_validation_with_file_and_line(string attack, string html)
    {
        using var dir = new TemplateDirectory().WithTemplate("attack", "<p>ok</p>\n" + html).WithTemplate("normal", Normal);

        var error = await BuildGuardedAsync(dir);
        output.WriteLine($"{attack}: {Short(error)}");

        error.Should().BeOfType<TemplateValidationException>(attack).Which.Diagnostics
            .Should().Contain(d => d.File.EndsWith("attack/default/html.liquid", StringComparison.Ordinal) && d.Line == 2 && d.Severity == TemplateDiagnosticSeverity.Error);
    }

    public static TheoryData<string> ClrMemberProbes() => new()
    {
        "{{ customer.GetType }}",
        "{{ customer.GetType.Assembly.Location }}",
        "{{ customer.GetType().Assembly }}",
        "{{ customer.first_name.Length }}",
        "{{ customer.first_name.GetType.FullName }}",
        "{{ customer['GetType'] }}",
        "{{ order.total.Amount }}{{ order.total.Currency }}{{ order.total.GetHashCode }}",
        "{{ order.placed_at.Ticks }}{{ order.placed_at.Offset }}",
        "{{ order.lines.Count }}{{ order.lines.GetType }}",
        "{{ order.lines | map: 'GetType' }}",
        "{{ order.lines | map: 'Keys' }}",
        "{{ order.lines[0].Keys }}{{ order.lines[0].Count }}",
        "{{ customer | json }}",
        "{{ order.total | json }}",
        "{% for p in customer %}{{ p }}{% endfor %}",
        "{{ customer.__proto__ }}{{ customer.constructor }}",
    };

    [Theory]
    [MemberData(nameof(ClrMemberProbes))]
    public async Task A_clr_member_outside_the_model_is_unreachable_and_no_clr_type_leaks(string html)
    {
        using var dir = new TemplateDirectory().WithTemplate("attack", html).WithTemplate("normal", Normal);
        var buildError = await BuildGuardedAsync(dir);
        if (buildError is not null)
        {
            output.WriteLine($"{html}: refused at validation: {Short(buildError)}");
            buildError.Should().BeOfType<TemplateValidationException>();
            return;
        }

        var renderer = dir.Renderer();
        var outcome = await RenderGuardedAsync(renderer, "attack");
        output.WriteLine($"{html}: {(outcome.Error is null ? "rendered '" + outcome.Result!.Html + "'" : "stopped at render: " + Short(outcome.Error))}");

        if (outcome.Error is not null)
        {
            outcome.Error.Should().BeOfType<TemplateRenderException>();
        }
        else
        {
            outcome.Result!.Html.Should().NotContainAny("System.", "Loyalty.", "Fluid.", "Version=", "PublicKeyToken", ".dll", "Dictionary`", "List`");
        }

        (await RenderGuardedAsync(renderer, "normal")).Result!.Html.Should().Be("<p>Hi Mei, thanks for order A-1001.</p>");
    }

    public static TheoryData<string> PathsOutsideTheRoot() => new()
    {
        "../../etc/passwd",
        "/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "....//....//etc/passwd",
        "..\\\\..\\\\etc\\\\passwd",
        "file:///etc/passwd",
        "_partials/../../secret",
        "footer/../../secret",
        "../secret",
        "../secret.liquid",
        "footer/../../../secret",
        "footer\0../../secret",
        "~/secret",
    };

    [Theory]
    [MemberData(nameof(PathsOutsideTheRoot))]
    public async Task An_include_of_a_path_outside_the_partials_is_refused_whether_written_or_taken_from_the_model(string path)
    {
        using var dir = new TemplateDirectory()
            .WithTemplate("literal", "{% include '" + path.Replace("'", "", StringComparison.Ordinal) + "' %}")
            .WithTemplate("dynamic", "{% include customer.first_name %}")
            .WithTemplate("normal", Normal)
            .With("_partials/footer.liquid", "<footer>{{ shop.name }}</footer>");
        File.WriteAllText(Path.Combine(dir.Root, "secret.liquid"), "TOPSECRET-IN-ROOT");

        var buildError = await BuildGuardedAsync(dir);
        LiquidEmailTemplateRenderer renderer;
        if (buildError is not null)
        {
            // The literal include is refused at validation; check the dynamic one on a directory without it.
            buildError.Should().BeOfType<TemplateValidationException>().Which.Message.Should().Contain("literal/default/html.liquid");
            File.Delete(Path.Combine(dir.Root, "literal", "default", "html.liquid"));
            File.WriteAllText(Path.Combine(dir.Root, "literal", "default", "html.liquid"), "<p>ok</p>");
            renderer = dir.Renderer();
        }
        else
        {
            renderer = dir.Renderer();
            var literal = await RenderGuardedAsync(renderer, "literal");
            literal.Error.Should().BeOfType<TemplateRenderException>().Which.Message.Should().Contain("refused");
        }

        var dynamic = await RenderGuardedAsync(renderer, "dynamic", TemplateDirectory.Model(firstName: path));

        dynamic.Error.Should().BeOfType<TemplateRenderException>().Which.Message.Should().Contain("refused").And.Contain("_partials").And.NotContain("TOPSECRET");
        (await RenderGuardedAsync(renderer, "normal")).Result!.Html.Should().Be("<p>Hi Mei, thanks for order A-1001.</p>");
    }

    [Fact]
    public async Task A_partial_including_itself_or_its_caller_is_stopped_by_the_recursion_limit()
    {
        using var dir = new TemplateDirectory()
            .WithTemplate("self", "{% include 'loop' %}")
            .WithTemplate("mutual", "{% include 'ping' %}")
            .WithTemplate("normal", Normal)
            .With("_partials/loop.liquid", "a{% include 'loop' %}")
            .With("_partials/ping.liquid", "{% for i in (1..2) %}{% include 'pong' %}{% endfor %}")
            .With("_partials/pong.liquid", "{% include 'ping' %}");
        var renderer = dir.Renderer();

        foreach (var name in new[] { "self", "mutual" })
        {
            var outcome = await RenderGuardedAsync(renderer, name);
            outcome.Error.Should().BeOfType<TemplateRenderException>(name).Which.Message.Should().MatchRegex("(?i)recursi|depth|limit");
            outcome.Allocated.Should().BeLessThan(AllocationBound);
        }

        (await RenderGuardedAsync(renderer, "normal")).Result!.Html.Should().Be("<p>Hi Mei, thanks for order A-1001.</p>");
    }

    public static TheoryData<string, string> ParserBombs() => new()
    {
        { "100,000 nested parentheses", "{{ " + new string('(', 100_000) + "1" + new string(')', 100_000) + " }}" },
        { "100,000 nested ifs", string.Concat(Enumerable.Repeat("{% if true %}", 100_000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 100_000)) },
        { "100,000 nested for loops", string.Concat(Enumerable.Repeat("{% for i in (1..1) %}", 100_000)) + string.Concat(Enumerable.Repeat("{% endfor %}", 100_000)) },
        { "100,000 nested captures", string.Concat(Enumerable.Repeat("{% capture c %}", 100_000)) + string.Concat(Enumerable.Repeat("{% endcapture %}", 100_000)) },
        { "100,000 chained filters", "{{ 'x'" + string.Concat(Enumerable.Repeat(" | upcase", 100_000)) + " }}" },
        { "100,000 chained appends", "{{ 'x'" + string.Concat(Enumerable.Repeat(" | append: 'y'", 100_000)) + " }}" },
        { "100,000 nested indexers", "{{ order.lines" + string.Concat(Enumerable.Repeat("[0", 100_000)) + new string(']', 100_000) + " }}" },
        { "100,000 unary minus signs", "{{ " + new string('-', 100_000) + "1 }}" },
        { "100,000 binary operators", "{{ 1" + string.Concat(Enumerable.Repeat(" + 1", 100_000)) + " }}" },
        { "100,000 and-conditions", "{% if true" + string.Concat(Enumerable.Repeat(" and true", 100_000)) + " %}x{% endif %}" },
        { "an unterminated tag a megabyte long", "{% if " + new string('a', 1_000_000) },
    };

    [Theory]
    [MemberData(nameof(ParserBombs))]
    public async Task A_parser_bomb_is_refused_at_validation_or_stopped_at_render_without_crashing_the_host(string attack, string html)
    {
        using var dir = new TemplateDirectory().WithTemplate("attack", html).WithTemplate("normal", Normal);

        var buildError = await BuildGuardedAsync(dir);

        if (buildError is not null)
        {
            output.WriteLine($"{attack}: refused at validation: {Short(buildError)}");
            buildError.Should().BeOfType<TemplateValidationException>(attack).Which.Message.Should().Contain("attack/default/html.liquid");
            buildError.Message.Length.Should().BeLessThan(100_000, "the error names the problem, it does not repeat the template");
            return;
        }

        var renderer = dir.Renderer();
        var outcome = await RenderGuardedAsync(renderer, "attack");
        output.WriteLine($"{attack}: {(outcome.Error is null ? "rendered " + outcome.Result!.Html.Length + " characters" : "stopped at render: " + Short(outcome.Error))}");
        if (outcome.Error is not null)
        {
            outcome.Error.Should().BeOfType<TemplateRenderException>(attack);
        }

        outcome.Allocated.Should().BeLessThan(AllocationBound, attack);
        (await RenderGuardedAsync(renderer, "normal")).Result!.Html.Should().Be("<p>Hi Mei, thanks for order A-1001.</p>");
    }

    [Fact]
    public async Task Concurrent_renders_for_two_customers_never_see_each_others_data()
    {
        const string html = "{% assign who = customer.first_name %}{% capture greeting %}Hi {{ who }}{% endcapture %}"
            + "{{ greeting }}|{{ order.id }}|{% cycle 'one', 'two' %}|{{ seen | default: 'none' }}{% assign seen = who %}";
        using var dir = new TemplateDirectory().WithTemplate("t", html, subject: "For {{ customer.first_name }}{{ seen }}{% assign seen = 'x' %}");
        var renderer = dir.Renderer();
        var a = TemplateDirectory.Model(firstName: "Alice-A", order: Order("order-A"));
        var b = TemplateDirectory.Model(firstName: "Bob-B", order: Order("order-B"));
        var wrong = new ConcurrentBag<string>();

        var all = Task.Run(() => Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (model, name, order, other) = i % 2 == 0 ? (a, "Alice-A", "order-A", "Bob") : (b, "Bob-B", "order-B", "Alice");
            var result = renderer.Render("t", "en", model);
            var expected = $"Hi {name}|{order}|one|none";
            if (result.Html != expected || result.Subject != $"For {name}" || result.Text.Contains(other, StringComparison.Ordinal))
            {
                wrong.Add($"{i}: {result.Subject} / {result.Html}");
            }
        }));
        await all.WaitAsync(Guard);

        wrong.Should().BeEmpty("every render starts from a fresh context");
    }

    [Fact]
    public async Task A_template_assigning_over_the_shared_builtins_changes_nothing_for_the_next_render()
    {
        // The builtins (cycle, include, empty, blank) are one read-only object shared by every context of a renderer.
        const string overwrite = "{% assign cycle = 'hacked' %}{% assign empty = 'hacked' %}{% assign blank = 'hacked' %}{% assign include = 'hacked' %}"
            + "{{ cycle }}|{{ empty }}";
        const string reader = "{% cycle 'one', 'two' %}{% cycle 'one', 'two' %}|{% if '' == empty %}empty{% endif %}|{% if '  ' == blank %}blank{% endif %}|{% include 'p' %}";
        using var dir = new TemplateDirectory().WithTemplate("overwrite", overwrite).WithTemplate("reader", reader).With("_partials/p.liquid", "partial");
        var renderer = dir.Renderer();

        var first = await RenderGuardedAsync(renderer, "overwrite");
        var second = await RenderGuardedAsync(renderer, "reader");

        first.Error.Should().BeNull();
        first.Result!.Html.Should().Be("hacked|", "a template's own assignments stay in its own scope (empty stays the Liquid keyword)");
        second.Error.Should().BeNull();
        second.Result!.Html.Should().Be("onetwo|empty|blank|partial");
    }

    private static string Short(Exception? error)
    {
        var message = error?.Message ?? "(none)";
        var text = $"{error?.GetType().Name}: {message[..Math.Min(message.Length, 200)]}";
        return text.ReplaceLineEndings(" ");
    }

    private static Dictionary<string, object?> Order(string id) => new()
    {
        ["id"] = id,
        ["total"] = new MoneyValue(10m, "TWD"),
        ["lines"] = new List<object?>(),
    };
}
