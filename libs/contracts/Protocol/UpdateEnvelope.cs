using System.Text;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// Wraps already-encoded update bytes as a <c>/ws</c> update frame without re-encoding them:
/// <c>{"type":"update","data":</c> + update + <c>}</c>.
/// </summary>
public static class UpdateEnvelope
{
    private static readonly byte[] Head = Encoding.UTF8.GetBytes("{\"type\":\"update\",\"data\":");

    /// <summary>Builds the frame once; the result is shared by every connection it is sent to.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> updateJson)
    {
        var frame = new byte[Head.Length + updateJson.Length + 1];
        Head.CopyTo(frame, 0);
        updateJson.CopyTo(frame.AsSpan(Head.Length));
        frame[^1] = (byte)'}';
        return frame;
    }
}
