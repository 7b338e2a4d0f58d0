using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// One Redis command on a fresh connection, as the admin user, in plain RESP2: no client library's reconnect policy
/// or cluster discovery in between, so a check of a node that is restarting is exactly "does it answer now".
/// </summary>
internal static class RedisCommand
{
    /// <summary>The reply (a status or a bulk string); null when the node does not answer within the timeout.</summary>
    public static Task<string?> RunAsync(int port, params string[] command) => RunAsync("127.0.0.1", port, login: true, command);

    /// <summary>The same against <paramref name="host"/>; a Sentinel takes no login.</summary>
    public static async Task<string?> RunAsync(string host, int port, bool login, params string[] command)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, deadline.Token);
            var stream = client.GetStream();
            if (login)
            {
                await stream.WriteAsync(Encode("AUTH", RedisAcl.AdminUser, RedisAcl.PasswordOf(RedisAcl.AdminUser)), deadline.Token);
            }

            await stream.WriteAsync(Encode(command), deadline.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            if (login)
            {
                await ReadReplyAsync(reader, deadline.Token);
            }

            return await ReadReplyAsync(reader, deadline.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static byte[] Encode(params string[] parts) => Encoding.UTF8.GetBytes(
        $"*{parts.Length}\r\n" + string.Concat(parts.Select(p => $"${Encoding.UTF8.GetByteCount(p)}\r\n{p}\r\n")));

    private static async Task<string> ReadReplyAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("The connection closed.");
        switch (line[0])
        {
            case '+':
                return line[1..];
            case '-':
                throw new InvalidOperationException("Redis answered " + line);
            case '*':
                // An array (ROLE, SENTINEL get-master-addr-by-name): its elements, one a line.
                var count = int.Parse(line[1..], CultureInfo.InvariantCulture);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync(reader, cancellationToken));
                }

                return string.Join('\n', items);
            case ':':
                return line[1..];
            case '$':
                if (line == "$-1")
                {
                    return string.Empty;
                }


                var length = int.Parse(line[1..], CultureInfo.InvariantCulture);
                var buffer = new char[length + 2];
                var read = 0;
                while (read < buffer.Length)
                {
                    var chunk = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken);
                    read += chunk > 0 ? chunk : throw new IOException("The connection closed mid-reply.");
                }

                return new string(buffer, 0, length);
            default:
                throw new InvalidOperationException("Unexpected reply " + line);
        }
    }
}
