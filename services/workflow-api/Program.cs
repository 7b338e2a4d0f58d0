using Vapora.ServiceDefaults;
using Vapora.ServiceDefaults.Security;
using Vapora.WorkflowApi.Lifecycle;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence.Setup;
using Vapora.WorkflowApi.Workflows;

// Content root is the app's folder, so appsettings.json and wwwroot are found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults("workflow-api");
builder.AddWorkflowStorage();
builder.AddUpdatePublishing();
builder.AddWorkflows();
builder.AddDataRetention();
builder.AddVaporaAuthentication();
builder.AddWriteRateLimits();
builder.AddPageCors();
builder.AddApiDocumentation();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors(CorsExtensions.PolicyName);
app.UseVaporaAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapWorkflowEndpoints();

app.Run();
