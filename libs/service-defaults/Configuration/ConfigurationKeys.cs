using Vapora.ServiceDefaults.Configuration;
using Vapora.ServiceDefaults.Redis;

// Keys read without an options class (see ReadsConfigurationAttribute).
[assembly: ReadsConfiguration("ConnectionStrings:" + RedisConnectionExtensions.ConnectionStringName, typeof(string))]
[assembly: ReadsConfiguration("OTEL_EXPORTER_OTLP_ENDPOINT", typeof(string))]
