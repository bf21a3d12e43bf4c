using Loyalty.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

Console.OutputEncoding = System.Text.Encoding.UTF8;
return await LoyaltyCli.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancellation.Token).ConfigureAwait(false);
