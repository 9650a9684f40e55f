using GridQueue.Server.Hosting;

if (args is [ServerVersion.Option])
{
    return ServerVersion.Print();
}

if (args is [HealthProbe.Command])
{
    return await HealthProbe.RunAsync();
}

if (args is [BackupCommand.Command, ..])
{
    return await BackupCommand.RunAsync(args);
}

// Everything is wired in ServerApp, which the integration tests also use to run the real server in process.
await ServerApp.Build(args).RunAsync();
return 0;
