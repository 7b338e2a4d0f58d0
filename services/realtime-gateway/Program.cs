using Vapora.RealtimeGateway;
using Vapora.RealtimeGateway.Page;
using Vapora.RealtimeGateway.Transport;
using Vapora.ServiceDefaults;
using Vapora.ServiceDefaults.Security;

// Content root is the app's folder, so appsettings.json and wwwroot are found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults("realtime-gateway");
builder.AddRealtimeGateway();

var app = builder.Build();

// Sockets first: nothing after this stays suspended under a socket for its lifetime (see SocketEndpoints).
app.UseTransports();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseVaporaAuthentication();
// Explicit, so that WebApplication does not put it at the head of the pipeline, ahead of the socket routes.
app.UseAuthorization();
app.MapProgressPage();
app.MapDefaultEndpoints();
app.MapTransports();

app.Run();
