using FogLens.EdgeAgent.Tracking;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent;

// Validators generated at compile time from the options classes' data annotations, registered with
// ValidateOnStart: a bad setting stops the edge at start with the key named (exit code 2).

[OptionsValidator]
public sealed partial class ValidateEdgeAgentOptions : IValidateOptions<EdgeAgentOptions>;

[OptionsValidator]
public sealed partial class ValidateTrackerOptions : IValidateOptions<TrackerOptions>;

[OptionsValidator]
public sealed partial class ValidateFogEndpoint : IValidateOptions<MqttEndpointOptions>;
