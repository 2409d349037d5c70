namespace FogLens.CloudPortal.Data;

/// <summary>Something an operator should look at, with what to do (see README, "Operating FogLens").</summary>
/// <param name="Severity">"error" (data is being lost or not collected) or "warning" (degraded, nothing lost yet).</param>
/// <param name="Kind">fog-offline, source-failing, outbox-growing or model-regression.</param>
/// <param name="Subject">The node or round concerned.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Action">What to do about it.</param>
public sealed record PortalAlert(string Severity, string Kind, string Subject, string Message, string Action);
