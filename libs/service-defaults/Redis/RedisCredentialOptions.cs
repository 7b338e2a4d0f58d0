namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// The Redis ACL user this process connects as (section <c>Redis</c>: <c>Redis__User</c>, <c>Redis__Password</c>).
/// Either may also come from the connection string (<c>user=</c>, <c>password=</c>); a value set here wins, so a
/// deployment can keep the connection string in plain configuration and the password in a secret.
/// </summary>
public sealed class RedisCredentialOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Redis";

    /// <summary>ACL user name, such as <c>vapora-api</c> or <c>vapora-gateway</c> (see <c>deploy/redis/users.acl</c>).</summary>
    public string? User { get; set; }

    /// <summary>That user's password. Never logged.</summary>
    public string? Password { get; set; }
}
