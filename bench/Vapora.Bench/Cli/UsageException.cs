namespace Vapora.Bench.Cli;

/// <summary>A bad command line: the message says what is wrong and what is allowed.</summary>
internal sealed class UsageException(string message) : Exception(message);
