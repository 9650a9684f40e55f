using GridQueue.Simulator;

// Serves the unified-format video API with simulated tasks and faults; see SimulatorOptions for the settings.
var app = SimulatorApp.Build(args);
await app.RunAsync();
