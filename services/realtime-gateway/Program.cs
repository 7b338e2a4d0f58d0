using Vapora.RealtimeGateway;
using Vapora.RealtimeGateway.Transport;
using Vapora.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("realtime-gateway");
builder.AddRealtimeGateway();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.MapProgressPage();
app.MapDefaultEndpoints();
app.MapSocketEndpoints();

app.Run();
