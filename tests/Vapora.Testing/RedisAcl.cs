using System.Text.RegularExpressions;

namespace Vapora.Testing;

/// <summary>
/// The ACL users of <c>deploy/redis/users.acl</c>, the file deployments use, read as it is: tests run against the
/// documented rules and their placeholder passwords.
/// </summary>
public static partial class RedisAcl
{
    public const string ApiUser = "vapora-api";
    public const string GatewayUser = "vapora-gateway";
    public const string ReplicationUser = "vapora-replication";
    public const string SentinelUser = "vapora-sentinel";
    public const string AdminUser = "vapora-admin";

    /// <summary>The ACL file (Redis <c>aclfile</c> format).</summary>
    public static string FilePath { get; } = Path.Combine(RepositoryPaths.Root, "deploy", "redis", "users.acl");

    /// <summary>The password the file gives <paramref name="user"/> (its first <c>&gt;password</c> rule).</summary>
    public static string PasswordOf(string user)
    {
        foreach (var line in File.ReadAllLines(FilePath))
        {
            var match = UserLine().Match(line);
            if (match.Success && match.Groups["user"].Value == user)
            {
                return match.Groups["password"].Value;
            }
        }

        throw new InvalidOperationException($"{FilePath} defines no password for user {user}.");
    }

    /// <summary>Connection-string settings that log in as <paramref name="user"/>.</summary>
    public static string Credentials(string user) => $",user={user},password={PasswordOf(user)}";

    /// <summary>Service settings that make workflow-api or a gateway log in as <paramref name="user"/>.</summary>
    public static IReadOnlyDictionary<string, string?> ServiceSettings(string user) => new Dictionary<string, string?>
    {
        ["Redis__User"] = user,
        ["Redis__Password"] = PasswordOf(user),
    };

    /// <summary>redis-server arguments: load the ACL file, and authenticate as the replication user when replicating.</summary>
    public static IEnumerable<string> ServerArguments() =>
        ["--aclfile", FilePath, "--masteruser", ReplicationUser, "--masterauth", PasswordOf(ReplicationUser)];

    [GeneratedRegex(@"^user\s+(?<user>\S+)\s.*?\s>(?<password>\S+)")]
    private static partial Regex UserLine();
}
