using Vapora.RealtimeGateway;
using Vapora.RealtimeGateway.Transport;
using Vapora.ServiceDefaults;
using Vapora.ServiceDefaults.Security;

// Content root is the app's folder, so appsettings.json and wwwroot are found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults("realtime-gateway");
builder.AddRealtimeGateway();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.UseCors();
app.UseVaporaAuthentication();
app.MapProgressPage();
app.MapDefaultEndpoints();
app.MapSocketEndpoints();
app.MapEventStreamEndpoints();

app.Run();
