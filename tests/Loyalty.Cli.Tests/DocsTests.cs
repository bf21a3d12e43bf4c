using System.Text.Json;
using System.Text.RegularExpressions;
using Loyalty.Events;

namespace Loyalty.Cli.Tests;

/// <summary>
/// Every example in docs/ is exercised: each fenced block must be of a kind this class knows, and each kind is run.
/// <list type="bullet">
/// <item><c>csharp</c> after <c>&lt;!-- snippet: NAME --&gt;</c>: identical to the region NAME of DocExamples/*.cs (which compile with the tests).</item>
/// <item><c>liquid</c> (info <c>event=TYPE locale=L</c>) followed by <c>text</c>: rendered by the library's renderer (through <c>loyalty templates preview</c>) with the built-in sample data; the output must match.</item>
/// <item><c>json</c> after <c>&lt;!-- appsettings --&gt;</c>: <c>loyalty flows check</c> passes on it; after <c>&lt;!-- event --&gt;</c>: <c>loyalty flows dry-run</c> accepts it; after <c>&lt;!-- customer --&gt;</c>: a dry-run with it passes; after <c>&lt;!-- data --&gt;</c>: a preview with it passes.</item>
/// <item><c>console</c>: every <c>$ loyalty ...</c> line is run in-process on tests/Loyalty.Cli.Tests/TestData; stdout must be what follows it.</item>
/// <item><c>sh</c>: every <c>loyalty ...</c> line parses (no usage error) on the test data; <c>dotnet add package X</c> names a package of src/.</item>
/// </list>
/// </summary>
public sealed partial class DocsTests
{
    private static readonly string DocsDirectory = Path.Combine(Paths.RepositoryRoot, "docs");

    public static TheoryData<string> DocFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Paths.RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void The_docs_folder_has_the_five_guides()
    {
        Directory.EnumerateFiles(DocsDirectory, "*.md").Select(Path.GetFileName).Should()
            .Contain(["getting-started.md", "integrator-guide.md", "configuration.md", "operations.md", "cli.md"]);
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public void Every_block_of_the_guide_is_of_a_tested_kind(string file)
    {
        var blocks = Blocks(file);
        var untested = blocks
            .Where((b, i) => Kind(b) is null || (Kind(b) == "text" && (i == 0 || Kind(blocks[i - 1]) != "liquid")))
            .Select(b => $"{file}:{b.Line}: ```{b.Info}")
            .ToList();

        untested.Should().BeEmpty("every example in docs/ must be exercised by a test (see DocsTests)");
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public void Every_csharp_example_is_the_compiled_code_of_DocExamples(string file)
    {
        var snippets = Snippets();
        foreach (var block in Blocks(file).Where(b => Kind(b) == "snippet"))
        {
            snippets.Should().ContainKey(block.Marker!, $"{file}:{block.Line} names a snippet of DocExamples/*.cs");
            block.Content.Should().Be(snippets[block.Marker!], $"{file}:{block.Line} must show DocExamples' code as it compiles");
        }
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public async Task Every_liquid_example_renders_to_the_documented_output(string file)
    {
        var blocks = Blocks(file);
        var failures = new List<string>();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (Kind(blocks[i]) != "liquid")
            {
                continue;
            }

            var expected = blocks[i + 1];
            var actual = await RenderAsync(blocks[i]);
            if (actual != expected.Content.TrimEnd())
            {
                failures.Add($"{file}:{blocks[i].Line}:\n--- documented ---\n{expected.Content.TrimEnd()}\n--- rendered ---\n{actual}");
            }
        }

        failures.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public async Task Every_json_example_is_accepted_by_the_cli(string file)
    {
        foreach (var block in Blocks(file).Where(b => Kind(b) == "json"))
        {
            using var folder = new TempFolder().With("example.json", block.Content);
            var path = Path.Combine(folder.Path, "example.json");
            var result = block.Marker switch
            {
                "appsettings" => await Cli.RunAsync("flows", "check", "--config", path),
                "event" => await Cli.RunAsync("flows", "dry-run", "--config", Paths.TestData("appsettings.json"), "--event", path),
                "customer" => await Cli.RunAsync("flows", "dry-run", "--config", Paths.TestData("appsettings.json"), "--event", Paths.TestData("order-placed.json"), "--customer", path),
                _ => await Cli.RunAsync("templates", "preview", "starter-kit-checkin", "--data", path),
            };

            result.ExitCode.Should().Be(0, $"{file}:{block.Line} ({block.Marker}) must be accepted:\n{result}");
        }
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public async Task Every_console_example_prints_what_the_guide_shows(string file)
    {
        var failures = new List<string>();
        foreach (var block in Blocks(file).Where(b => Kind(b) == "console"))
        {
            foreach (var (command, expected) in ConsoleCommands(block.Content))
            {
                var result = await Cli.RunAsync(TestDataArguments(command));
                var actual = Normalize(result.Stdout);
                if (actual != expected.TrimEnd())
                {
                    failures.Add($"{file}:{block.Line}: $ loyalty {string.Join(' ', command)}\n--- documented ---\n{expected.TrimEnd()}\n--- printed ---\n{actual}\n--- stderr ---\n{result.Stderr}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public async Task Every_shell_example_uses_real_commands_and_packages(string file)
    {
        foreach (var block in Blocks(file).Where(b => Kind(b) == "sh"))
        {
            foreach (var raw in block.Content.Split('\n'))
            {
                var line = raw.Split('#')[0].Trim();
                if (line.StartsWith("loyalty ", StringComparison.Ordinal))
                {
                    var result = await Cli.RunAsync(TestDataArguments(line["loyalty ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                    result.ExitCode.Should().NotBe(2, $"{file}:{block.Line}: '{line}' must be a valid command line:\n{result}");
                }
                else if (line.StartsWith("dotnet add package ", StringComparison.Ordinal))
                {
                    var package = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
                    var isOurs = Directory.Exists(Path.Combine(Paths.RepositoryRoot, "src", package));
                    var isPinned = File.ReadAllText(Path.Combine(Paths.RepositoryRoot, "Directory.Packages.props")).Contains($"\"{package}\"", StringComparison.Ordinal);
                    (isOurs || isPinned).Should().BeTrue($"{file}:{block.Line}: {package} is a package of src/ or pinned in Directory.Packages.props");
                }
                else if (line.StartsWith("bash scripts/", StringComparison.Ordinal))
                {
                    var script = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                    File.Exists(Path.Combine(Paths.RepositoryRoot, script)).Should().BeTrue($"{file}:{block.Line}: {script} is one of the repository's scripts");
                }
                else if (line.Length > 0)
                {
                    line.Should().MatchRegex("^(dotnet (tool install|new|ef|run|test)|loyalty) ", $"{file}:{block.Line}: a shell example runs dotnet, loyalty or a repository script only");
                }
            }
        }
    }

    [Fact]
    public void The_integrator_guide_has_an_example_for_every_filter()
    {
        // Every filter a template can call: Fluid's (less format_date, format_number and format_string) and Loyalty's
        // (src/Loyalty.Email/Templates/Liquid/LiquidFilters.cs).
        string[] filters =
        [
            "append", "prepend", "capitalize", "downcase", "upcase", "strip", "lstrip", "rstrip", "strip_newlines", "newline_to_br",
            "escape", "h", "escape_once", "strip_html", "remove", "remove_first", "remove_last", "replace", "replace_first", "replace_last",
            "truncate", "truncatewords", "split", "slice", "url_encode", "url_decode", "base64_encode", "base64_decode",
            "base64_url_safe_encode", "base64_url_safe_decode", "raw", "join", "first", "last", "size", "reverse", "uniq", "compact",
            "concat", "map", "where", "reject", "find", "find_index", "has", "sort", "sort_natural", "sum", "plus", "minus", "times",
            "divided_by", "modulo", "abs", "ceil", "floor", "round", "at_least", "at_most", "default", "date", "money",
            "money_with_currency", "json", "squish", "handle", "handleize", "md5", "sha1", "sha256", "hmac_sha1", "hmac_sha256",
            "time_zone",
        ];
        var liquid = string.Join("\n", Blocks("integrator-guide.md").Where(b => Kind(b) == "liquid").Select(b => b.Content));

        var missing = filters.Where(f => !Regex.IsMatch(liquid, @"\|\s*" + Regex.Escape(f) + @"\b")).ToList();

        missing.Should().BeEmpty("the integrator guide shows every filter in a tested example");
    }

    private static async Task<string> RenderAsync(Block block)
    {
        var info = block.Info.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var locale = info.GetValueOrDefault("locale", "en");
        var sample = SampleData.EventFor(info.GetValueOrDefault("event", EventTypes.OrderPlaced), locale, Cli.Now);
        using var folder = new TempFolder()
            .With("doc-example/template.json", """{ "category": "transactional", "layout": null }""")
            .With("doc-example/default/subject.liquid", "example")
            .With("doc-example/default/html.liquid", "<p>example</p>")
            .With("doc-example/default/text.liquid", block.Content)
            .With("event.json", JsonSerializer.Serialize<LoyaltyEvent>(sample));
        var result = await Cli.RunAsync("templates", "preview", "doc-example", "--templates", folder.Path, "--no-defaults",
            "--config", Paths.TestData("appsettings.json"), "--locale", locale, "--data", Path.Combine(folder.Path, "event.json"), "--json");
        if (result.ExitCode != 0)
        {
            return result.ToString();
        }

        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("text").GetString()!.TrimEnd();
    }

    /// <summary>File and folder arguments (after the two command words) that name test data are given as its full path.</summary>
    private static string[] TestDataArguments(IEnumerable<string> args) =>
        args.Select((a, i) => i >= 2 && (File.Exists(Paths.TestData(a)) || Directory.Exists(Paths.TestData(a))) ? Paths.TestData(a) : a).ToArray();

    private static string Normalize(string output) =>
        output.Replace(Paths.TestData("") + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).TrimEnd();

    private static IEnumerable<(string[] Command, string Expected)> ConsoleCommands(string content)
    {
        string[]? command = null;
        var expected = new List<string>();
        foreach (var line in content.Split('\n'))
        {
            if (line.StartsWith("$ loyalty ", StringComparison.Ordinal))
            {
                if (command is not null)
                {
                    yield return (command, string.Join('\n', expected));
                }

                command = line["$ loyalty ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                expected.Clear();
            }
            else
            {
                expected.Add(line);
            }
        }

        if (command is not null)
        {
            yield return (command, string.Join('\n', expected));
        }
    }

    private sealed record Block(int Line, string Info, string Content, string? Marker);

    private static string? Kind(Block block) => block.Info.Split(' ')[0] switch
    {
        "csharp" when block.Marker is not null => "snippet",
        "liquid" => "liquid",
        "text" => "text",
        "json" when block.Marker is "appsettings" or "event" or "customer" or "data" => "json",
        "console" => "console",
        "sh" => "sh",
        _ => null,
    };

    [GeneratedRegex(@"^<!--\s*(?:snippet:\s*)?([A-Za-z0-9_-]+)\s*-->$")]
    private static partial Regex MarkerLine();

    private static List<Block> Blocks(string file)
    {
        var lines = File.ReadAllText(Path.Combine(DocsDirectory, file)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var info = lines[i][3..].Trim();
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            var previous = start - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0)
            {
                previous--;
            }

            var marker = previous >= 0 && MarkerLine().Match(lines[previous].Trim()) is { Success: true } m ? m.Groups[1].Value : null;
            blocks.Add(new Block(start + 1, info, string.Join('\n', body), marker));
        }

        return blocks;
    }

    private static Dictionary<string, string> Snippets()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var folder = Path.Combine(Paths.RepositoryRoot, "tests", "Loyalty.Cli.Tests", "DocExamples");
        foreach (var path in Directory.EnumerateFiles(folder, "*.cs"))
        {
            var lines = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var begin = lines[i].Trim();
                if (!begin.StartsWith("// snippet: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var name = begin["// snippet: ".Length..].Trim();
                var body = new List<string>();
                for (i++; i < lines.Length && lines[i].Trim() != "// end snippet"; i++)
                {
                    body.Add(lines[i]);
                }

                var indent = body.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
                result[name] = string.Join('\n', body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
            }
        }

        return result;
    }
}
