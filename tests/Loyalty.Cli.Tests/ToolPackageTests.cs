using System.Diagnostics;

namespace Loyalty.Cli.Tests;

public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_with_dotnet_tool_install_and_validates_a_templates_folder_as_a_process()
    {
        using var work = new TempFolder();
        var feed = Path.Combine(work.Path, "feed");
        var tools = Path.Combine(work.Path, "tools");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid():N}"[..40].TrimEnd('.');
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));

        // Built under an artifacts folder of its own: other tests that pack the libraries (with versions of their own)
        // may be building src/ at the same time.
        var pack = await RunAsync("dotnet", ["pack", Path.Combine(Paths.RepositoryRoot, "src", "Loyalty.Cli", "Loyalty.Cli.csproj"),
            "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(work.Path, "artifacts"), $"-p:PackageVersion={version}", "-nologo"],
            Paths.RepositoryRoot, timeout.Token);
        pack.ExitCode.Should().Be(0, pack.Output);
        File.Exists(Path.Combine(feed, $"Loyalty.Cli.{version}.nupkg")).Should().BeTrue(pack.Output);

        // Only the local feed: the tool must install from the .nupkg alone.
        var config = Path.Combine(work.Path, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """, timeout.Token);
        var install = await RunAsync("dotnet", ["tool", "install", "Loyalty.Cli", "--tool-path", tools, "--add-source", feed,
            "--configfile", config, "--version", version], work.Path, timeout.Token);
        install.ExitCode.Should().Be(0, install.Output);

        var loyalty = Path.Combine(tools, OperatingSystem.IsWindows() ? "loyalty.exe" : "loyalty");
        var good = await RunAsync(loyalty, ["templates", "validate", Paths.ShippedEmailTemplates], work.Path, timeout.Token);
        good.ExitCode.Should().Be(0, good.Output);
        good.Output.Should().Contain("0 error(s)").And.Contain("validated 3/3 templates");

        var bad = new TempFolder()
            .With("oops/template.json", """{ "layout": null }""")
            .With("oops/default/subject.liquid", "Hi")
            .With("oops/default/html.liquid", "<p>{{ custmer.first_name }}</p>");
        using (bad)
        {
            var failing = await RunAsync(loyalty, ["templates", "validate", bad.Path, "--no-defaults"], work.Path, timeout.Token);
            failing.ExitCode.Should().Be(1, failing.Output);
            failing.Output.Should().Contain("oops/default/html.liquid:1:").And.Contain("unknown variable 'custmer'");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, $"$ {file} {string.Join(' ', args)}\n{await stdout}\n{await stderr}");
    }
}
