using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("workflow-api");
builder.AddWorkflowStore();
builder.AddUpdatePublishing();
builder.AddWorkflows();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapWorkflowEndpoints();

app.Run();
