using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// Where a multiplexed event stream (<c>/events?workflows=…</c>) is: the last version written of each of its workflows,
/// sent as every event's <c>id</c>, so that a browser's <c>EventSource</c> resumes all of them by itself (it sends the last
/// id back as <c>Last-Event-ID</c>). The form is <c>{fingerprint}:{v1},{v2},…</c>: the versions in the order the URL
/// lists the workflows (empty: nothing written yet, so the current state comes first), behind 8 hex digits that
/// fingerprint that list — compact (a few bytes per workflow, not its id), and a cursor of another list is refused
/// instead of being applied to the wrong workflows.
/// </summary>
/// <remarks>Used by the connection's writer loop only (one thread at a time), after <see cref="TryResume"/> on the request.</remarks>
internal sealed class EventStreamCursor
{
    /// <summary>Longest text of a version in a cursor (<see cref="long.MaxValue"/>) plus its comma.</summary>
    private const int MaxCharsPerWorkflow = 20;
    private const int FingerprintChars = 8;

    private readonly string[] _ids;
    private readonly long?[] _positions;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _index;
    private readonly uint _fingerprint;

    private EventStreamCursor(string[] ids, long?[] positions)
    {
        _ids = ids;
        _positions = positions;
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        _index = index.GetAlternateLookup<ReadOnlySpan<char>>();
        _fingerprint = Fingerprint(ids);
    }

    /// <summary>The workflows in the URL's order.</summary>
    public IReadOnlyList<string> WorkflowIds => _ids;

    /// <summary>Where each workflow resumes: after this version, or (null) with its current state first.</summary>
    public long? PositionOf(int index) => _positions[index];

    /// <summary>The longest cursor a stream of <paramref name="workflows"/> workflows can send; a longer one is refused unread.</summary>
    public static int MaxLength(int workflows) => FingerprintChars + 1 + workflows * MaxCharsPerWorkflow;

    /// <summary>
    /// Reads the <c>workflows</c> query values: ids, each optionally with <c>:after</c> (<c>wf_a,wf_b:7</c>; the parameter may
    /// repeat). Null with <paramref name="problem"/> saying what is wrong.
    /// </summary>
    public static EventStreamCursor? Parse(IEnumerable<string?> values, int maxWorkflows, out string? problem)
    {
        var ids = new List<string>();
        var positions = new List<long?>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var entry in (value ?? string.Empty).Split(','))
            {
                if (ids.Count == maxWorkflows)
                {
                    problem = $"a stream watches at most {maxWorkflows} workflows (Gateway:MaxWorkflowsPerEventStream, at most Gateway:MaxSubscriptionsPerConnection); open another stream for more";
                    return null;
                }

                var colon = entry.IndexOf(':', StringComparison.Ordinal);
                var id = colon < 0 ? entry : entry[..colon];
                if (!Contracts.WorkflowIds.IsValid(id))
                {
                    problem = $"each entry of workflows is an id ({Contracts.WorkflowIds.FormatDescription}), optionally with :after, separated by commas; got \"{Truncate(entry)}\"";
                    return null;
                }

                long? after = null;
                if (colon >= 0)
                {
                    if (!long.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                    {
                        problem = $"the after of {id} must be an integer version of 0 or more";
                        return null;
                    }

                    after = parsed;
                }

                if (!seen.Add(id))
                {
                    problem = $"{id} is listed twice";
                    return null;
                }

                ids.Add(id);
                positions.Add(after);
            }
        }

        if (ids.Count == 0)
        {
            problem = "workflows is required: /events?workflows=wf_a,wf_b:7 (an id, optionally with :after, separated by commas)";
            return null;
        }

        problem = null;
        return new EventStreamCursor([.. ids], [.. positions]);
    }

    /// <summary>
    /// Moves every workflow to where <paramref name="lastEventId"/> (an id this stream sent) says; false with
    /// <paramref name="problem"/> when it is not a cursor of this list of workflows.
    /// </summary>
    public bool TryResume(string lastEventId, out string? problem)
    {
        problem = null;
        if (lastEventId.Length > MaxLength(_ids.Length))
        {
            problem = $"Last-Event-ID is longer than any cursor of {_ids.Length} workflows ({MaxLength(_ids.Length)} characters)";
            return false;
        }

        var text = lastEventId.AsSpan();
        if (text.Length < FingerprintChars + 1 || text[FingerprintChars] != ':'
            || !uint.TryParse(text[..FingerprintChars], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var fingerprint))
        {
            problem = "Last-Event-ID is not a cursor of this stream (fingerprint:v1,v2,…)";
            return false;
        }

        if (fingerprint != _fingerprint)
        {
            problem = "Last-Event-ID is the cursor of another list of workflows; resume with the URL it came from, or list the versions: workflows=wf_a:7,wf_b:12";
            return false;
        }

        var resumed = new long?[_ids.Length];
        var index = 0;
        foreach (var range in text[(FingerprintChars + 1)..].Split(','))
        {
            var part = text[(FingerprintChars + 1)..][range];
            if (index == _ids.Length)
            {
                problem = $"Last-Event-ID holds more versions than the stream has workflows ({_ids.Length})";
                return false;
            }

            if (!part.IsEmpty)
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                {
                    problem = "Last-Event-ID holds something that is not a version";
                    return false;
                }

                resumed[index] = version;
            }

            index++;
        }

        if (index != _ids.Length)
        {
            problem = $"Last-Event-ID holds {index} versions for {_ids.Length} workflows";
            return false;
        }

        for (var i = 0; i < _ids.Length; i++)
        {
            // A cursor never moves a workflow back behind what the URL asked for.
            _positions[i] = resumed[i] is { } v ? Math.Max(v, _positions[i] ?? 0) : _positions[i];
        }

        return true;
    }

    /// <summary>Notes the version of an update about to be written (its <c>workflow_id</c> and <c>version</c>), without allocating.</summary>
    public void Advance(ReadOnlySpan<byte> updateJson)
    {
        Span<char> id = stackalloc char[Contracts.WorkflowIds.MaxLength];
        var idLength = -1;
        long version = 0;
        try
        {
            var reader = new Utf8JsonReader(updateJson, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while ((idLength < 0 || version == 0) && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("workflow_id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= id.Length && !reader.ValueIsEscaped)
                    {
                        idLength = reader.CopyString(id);
                    }
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        reader.TryGetInt64(out version);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return;
        }

        if (idLength > 0 && version > 0 && _index.TryGetValue(id[..idLength], out var index))
        {
            _positions[index] = version;
        }
    }

    /// <summary>Writes the cursor as it is now.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(MaxLength(_ids.Length));
        _fingerprint.TryFormat(span, out var written, "x8", CultureInfo.InvariantCulture);
        span[written++] = (byte)':';
        for (var i = 0; i < _positions.Length; i++)
        {
            if (i > 0)
            {
                span[written++] = (byte)',';
            }

            if (_positions[i] is { } version)
            {
                version.TryFormat(span[written..], out var digits, default, CultureInfo.InvariantCulture);
                written += digits;
            }
        }

        writer.Advance(written);
    }

    /// <summary>32-bit FNV-1a over the ids and their separators: cheap, stable across processes and versions.</summary>
    private static uint Fingerprint(string[] ids)
    {
        var hash = 2166136261u;
        foreach (var id in ids)
        {
            foreach (var c in id)
            {
                hash = (hash ^ c) * 16777619u;
            }

            hash = (hash ^ ',') * 16777619u;
        }

        return hash;
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
