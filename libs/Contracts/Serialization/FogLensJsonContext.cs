using System.Text.Json.Serialization;
using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Serialization;

/// <summary>Source-generated JSON metadata for every FogLens message (camelCase, enums as strings).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowTrailingCommas = false,
    MaxDepth = 16)]
[JsonSerializable(typeof(FaceCropMetadata))]
[JsonSerializable(typeof(EdgeStatus))]
[JsonSerializable(typeof(FogDemographics))]
[JsonSerializable(typeof(FogStatus))]
[JsonSerializable(typeof(RoundTask))]
[JsonSerializable(typeof(ModelUpdateMetadata))]
[JsonSerializable(typeof(ModelAnnouncement))]
public sealed partial class FogLensJsonContext : JsonSerializerContext;
