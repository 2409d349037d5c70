namespace FogLens.Federated;

/// <summary>Which part of the age network a fog fine-tunes; the rest stays as the global model has it (its update is zero).</summary>
public enum TrainableLayers
{
    /// <summary>Every convolution, BatchNorm and the classifier.</summary>
    All,

    /// <summary>The last <see cref="LocalTrainingOptions.TrainableBlocks"/> conv + BatchNorm blocks and the classifier.</summary>
    LastBlocks,

    /// <summary>The classifier only (about 2 % of the parameters).</summary>
    Head,
}
