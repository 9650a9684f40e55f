using GridQueue.Bench.Tasks;

// dotnet run -c Release --project bench/GridQueue.Bench.Tasks -- --tasks 100 --poll 2s --duration 20s
var parsed = TaskBenchOptions.Parse(args);
if (parsed.ShowHelp)
{
    Console.WriteLine(TaskBenchOptions.Usage);
    return 0;
}

if (parsed.Options is not { } options)
{
    await Console.Error.WriteLineAsync($"error: {parsed.Error}");
    await Console.Error.WriteLineAsync(TaskBenchOptions.Usage);
    return 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

return await TaskBenchmark.RunAsync(options, interrupted.Token);
