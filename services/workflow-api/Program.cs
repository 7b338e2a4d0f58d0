using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("workflow-api");
builder.AddWorkflowStore();
builder.AddUpdatePublishing();
builder.AddWorkflows();
builder.AddPageCors();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors(CorsExtensions.PolicyName);
app.MapDefaultEndpoints();
app.MapWorkflowEndpoints();

app.Run();
