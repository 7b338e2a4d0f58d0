using Vapora.Bench.Shared;

// The competitor, set up as the ASP.NET Core docs show it: SignalR with the Redis backplane, default (JSON) protocol.
// The harness publishes through the backplane from its own process, as a separate publisher would.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddStackExchangeRedis(
    builder.Configuration.GetConnectionString("redis") ?? throw new InvalidOperationException("Set ConnectionStrings__redis."));

var app = builder.Build();
app.MapHub<ProgressHub>("/hub");
app.MapGet("/health", () => "ok");
app.Run();
