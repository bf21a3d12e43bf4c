using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Loyalty.IntegrationTests.Infrastructure;

namespace Loyalty.IntegrationTests.Packaging;

/// <summary>
/// Packs the five packages into a local folder, then restores and runs a consumer project that references them as
/// packages by version from that folder (not project references) and sends one e-mail through them.
/// </summary>
[Collection("smtp")]
public sealed class PackedPackagesTests : IDisposable
{
    private static readonly string[] Packages = ["Loyalty.Abstractions", "Loyalty.Email", "Loyalty.Referrals", "Loyalty.EntityFrameworkCore", "Loyalty.AspNetCore"];
    private readonly SmtpServerFixture _smtp;
    private readonly string _work = Directory.CreateTempSubdirectory("loyalty-pack-").FullName;

    public PackedPackagesTests(SmtpServerFixture smtp)
    {
        _smtp = smtp;
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_five_packages_carry_readme_licence_symbols_and_docs_and_a_consumer_sends_mail_through_them()
    {
        _smtp.Clear();
        var repo = RepositoryRoot();
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        // A version of its own per run, so no package cache can hand back an older build.
        var version = $"0.1.0-check.{DateTime.UtcNow:yyyyMMddHHmmss}";
        foreach (var package in Packages)
        {
            await RunAsync("dotnet", $"pack \"{Path.Combine(repo, "src", package)}\" -c Release -o \"{feed}\" -p:Version={version} --nologo", repo);
        }

        foreach (var package in Packages)
        {
            var nupkg = Path.Combine(feed, $"{package}.{version}.nupkg");
            File.Exists(nupkg).Should().BeTrue($"{package} is packed");
            File.Exists(Path.Combine(feed, $"{package}.{version}.snupkg")).Should().BeTrue($"{package} has a symbols package");
            using var zip = ZipFile.OpenRead(nupkg);
            zip.Entries.Select(e => e.FullName).Should().Contain("README.md").And.Contain($"lib/net10.0/{package}.dll").And.Contain($"lib/net10.0/{package}.xml");
            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var reader = new StreamReader(nuspecEntry.Open());
            var nuspec = XDocument.Parse(await reader.ReadToEndAsync());
            var ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            metadata.Element(ns + "license")!.Value.Should().Be("MIT");
            metadata.Element(ns + "readme")!.Value.Should().Be("README.md");
            metadata.Element(ns + "description")!.Value.Should().NotBeNullOrWhiteSpace();
            metadata.Element(ns + "tags")!.Value.Should().Contain("loyalty");
            metadata.Element(ns + "repository")!.Attribute("url")!.Value.Should().StartWith("https://");
        }

        var consumer = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;
        File.Copy(Path.Combine(repo, "tests", "PackageConsumer", "PackageConsumer.csproj.template"), Path.Combine(consumer, "PackageConsumer.csproj"));
        File.Copy(Path.Combine(repo, "tests", "PackageConsumer", "Program.cs.template"), Path.Combine(consumer, "Program.cs"));
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="Loyalty.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var packagesPath = Path.Combine(_work, "packages");
        await RunAsync("dotnet", $"restore -p:LoyaltyVersion={version} --packages \"{packagesPath}\"", consumer);
        var output = await RunAsync("dotnet", $"run --no-restore -p:LoyaltyVersion={version} -- {_smtp.Host} {_smtp.Port} \"{consumer}\"", consumer);

        output.Should().Contain("sent=1");
        var messages = await _smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));
        messages.Should().ContainSingle().Which.To.Mailboxes.Single().Address.Should().Be("buyer@consumer.example");
        Directory.EnumerateDirectories(packagesPath).Select(Path.GetFileName).Should().Contain("loyalty.email", "the consumer restored Loyalty as a package");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Loyalty.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Loyalty.sln not found above the test's directory.");
    }

    private static async Task<string> RunAsync(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The consumer must not inherit the test run's MSBuild settings (CI=true is fine, the rest is not).
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        process.ExitCode.Should().Be(0, $"`{file} {arguments}` in {workingDirectory} failed:\n{text}");
        return text;
    }
}
