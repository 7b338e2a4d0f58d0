using Vapora.Bench.Ceiling;

// The upper bound of a WebSocket fan-out on this machine: no Redis, no ordering or catch-up logic, just an array of
// sockets per workflow and pre-encoded bytes written to each of them.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(new WatcherTable(builder.Configuration.GetValue("Ceiling:Workflows", 100_000)));

var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
app.Map("/ws", CeilingEndpoints.WatchAsync);
app.Map("/control", CeilingEndpoints.ControlAsync);
app.MapGet("/watchers", (WatcherTable table) => table.Count);
app.MapGet("/health", () => "ok");
app.Run();
