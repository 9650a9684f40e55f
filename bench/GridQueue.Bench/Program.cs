using GridQueue.Bench;

// dotnet run -c Release --project bench/GridQueue.Bench -- --store sqlite --jobs 20000
var parsed = BenchOptions.Parse(args);
if (parsed.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

if (parsed.Options is not { } options)
{
    await Console.Error.WriteLineAsync($"error: {parsed.Error}");
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

return await Benchmark.RunAsync(options);
