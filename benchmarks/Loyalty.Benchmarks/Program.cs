using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Loyalty.Benchmarks;

// `--check`: render each variant once and print sizes (a sanity check that all three build the same e-mail).
if (args.Contains("--check"))
{
    var bench = new ComposeBenchmarks();
    bench.Setup();
    foreach (var (name, message) in new[] { ("cached", bench.LoyaltyCached()), ("reparse", bench.ReparsePerMessage()), ("bare", bench.BareRender()) })
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        Console.WriteLine($"{name}: subject='{message.Subject}' html={message.HtmlBody?.Length} text={message.TextBody?.Length} mime={stream.Length} bytes");
    }

    bench.Cleanup();
    return 0;
}

// BenchmarkDotNet builds a boilerplate project per job; on this shared 2-core machine that took over its default
// two minutes (the build then failed and no benchmark ran), so allow more.
BenchmarkSwitcher.FromAssembly(typeof(ComposeBenchmarks).Assembly).Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(20)));
return 0;
