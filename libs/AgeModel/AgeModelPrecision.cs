namespace FogLens.AgeModel;

/// <summary>Arithmetic of an age model's ONNX graph; configuration values "fp32" and "int8" bind to it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are the configuration values fp32 and int8.")]
public enum AgeModelPrecision
{
    /// <summary>float32 throughout (<c>age-net.onnx</c>).</summary>
    Fp32,

    /// <summary>uint8 activations and 7-bit int8 weights in QuantizeLinear/DequantizeLinear pairs (<c>age-net.int8.onnx</c>).</summary>
    Int8,
}
