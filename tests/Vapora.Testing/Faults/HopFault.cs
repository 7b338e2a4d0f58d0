namespace Vapora.Testing.Faults;

/// <summary>What a <see cref="TcpRelay"/> does to the bytes it carries.</summary>
public enum HopFault
{
    /// <summary>Bytes pass as they come.</summary>
    None,

    /// <summary>
    /// Nothing moves in either direction and nothing is closed: no FIN, no RST. Bytes sent meanwhile are held, not
    /// refused, and arrive once the hop heals (a frozen link or node).
    /// </summary>
    Silent,

    /// <summary>
    /// The flows are forgotten, as by a NAT or load balancer that dropped its state: every connection open during the
    /// outage (or accepted during it) never carries another byte and is never closed; bytes sent into it vanish.
    /// Connections opened after the hop heals work.
    /// </summary>
    Dropped,

    /// <summary>Bytes arrive late (<see cref="TcpRelay.Slow"/>'s latency) and no faster than its bandwidth.</summary>
    Slow,
}
