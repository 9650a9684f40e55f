using GridQueue.Server.Hosting;

// Everything is wired in ServerApp, which the integration tests also use to run the real server in process.
await ServerApp.Build(args).RunAsync();
