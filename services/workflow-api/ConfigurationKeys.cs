using Vapora.ServiceDefaults.Configuration;
using Vapora.WorkflowApi.Persistence.Mongo;
using Vapora.WorkflowApi.Persistence.Sqlite;
using Vapora.WorkflowApi.Workflows;

// Keys read without an options class (see ReadsConfigurationAttribute); the options classes are found by their SectionName.
[assembly: ReadsConfiguration("ConnectionStrings:" + MongoRegistration.ConnectionStringName, typeof(string))]
[assembly: ReadsConfiguration("ConnectionStrings:" + SqliteRegistration.ConnectionStringName, typeof(string))]
[assembly: ReadsConfiguration(CorsExtensions.AllowedOriginsKey, typeof(string[]))]
