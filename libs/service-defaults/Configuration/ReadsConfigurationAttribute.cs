namespace Vapora.ServiceDefaults.Configuration;

/// <summary>
/// Declares a configuration key that an assembly reads without an options class (a connection string, a value read
/// with <c>GetSection(…).Get&lt;T&gt;()</c>), so that the unknown-key check knows it. Options classes with a
/// <c>SectionName</c> constant are found without this.
/// </summary>
/// <param name="path">The key, sections separated by <c>:</c>, such as <c>ConnectionStrings:redis</c>.</param>
/// <param name="type">What is read there: a simple type for one value, a class, list or dictionary for a subtree.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ReadsConfigurationAttribute(string path, Type type) : Attribute
{
    /// <summary>The key.</summary>
    public string Path { get; } = path;

    /// <summary>What is read at <see cref="Path"/>.</summary>
    public Type Type { get; } = type;
}
