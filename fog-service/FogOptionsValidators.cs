using FogLens.FogService.Broker;
using FogLens.FogService.Training;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService;

// Validators generated at compile time from the options classes' data annotations, registered with
// ValidateOnStart: a bad setting stops the fog at start with the key named (exit code 2).

[OptionsValidator]
public sealed partial class ValidateFogOptions : IValidateOptions<FogOptions>;

[OptionsValidator]
public sealed partial class ValidateEdgeBrokerOptions : IValidateOptions<EdgeBrokerOptions>;

[OptionsValidator]
public sealed partial class ValidateFederatedOptions : IValidateOptions<FederatedOptions>;

[OptionsValidator]
public sealed partial class ValidateCloudEndpoint : IValidateOptions<MqttEndpointOptions>;
