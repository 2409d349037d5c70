using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Detection;

/// <summary>
/// BlazeFace through ONNX Runtime. The frame (or region) is letterboxed into the model's square input
/// (aspect kept, grey padding), scaled to [-1, 1] RGB NHWC; the 896 SSD anchors (16x16x2 at the fine
/// stride, 8x8x6 at the coarse one, fixed size) are decoded as MediaPipe does, scores pass a sigmoid,
/// and weighted NMS merges overlaps. Owns its session; thread-safe (buffers are per call, pooled).
/// </summary>
public sealed class BlazeFaceDetector : IFaceDetector
{
    private const string InputName = "input:0";
    private static readonly string[] OutputNames = ["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"];
    private readonly InferenceSession _session;

    /// <summary>Held for the detector's lifetime: inline run options can be freed by a GC while the native run reads them.</summary>
    private readonly RunOptions _runOptions = new();
    private readonly float[] _anchorX;
    private readonly float[] _anchorY;

    public BlazeFaceDetector(string modelPath, float scoreThreshold = 0.6f, float nmsThreshold = 0.3f, int intraOpThreads = 1)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"BlazeFace model not found at {modelPath}; run ./foglens setup (models/fetch-blazeface.sh)", modelPath);
        }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, intraOpThreads),
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(modelPath, options);
        try
        {
            InputSize = ValidateModel(modelPath);
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }

        ScoreThreshold = scoreThreshold;
        NmsThreshold = nmsThreshold;
        (_anchorX, _anchorY) = Anchors();
    }

    /// <summary>"blazeface" (front, 128 px input) or "blazeface-back" (256 px input).</summary>
    public string Name => InputSize == 128 ? "blazeface" : "blazeface-back";

    public int InputSize { get; }

    public float ScoreThreshold { get; }

    public float NmsThreshold { get; }

    public static string DefaultPath(string repositoryRoot, BlazeFaceModel model) => Path.Combine(
        repositoryRoot, "models", "blazeface", model == BlazeFaceModel.Front ? "face_detection_front_128x128_barracuda.onnx" : "face_detection_back_256x256_barracuda.onnx");

    public IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region = null) => Detect(bgr, region, ScoreThreshold);

    /// <summary>As <see cref="Detect(Mat, Rect?)"/> with another score threshold (e.g. a lower one where a face is already tracked).</summary>
    public IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region, float scoreThreshold)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var roi = Clip(region ?? new Rect(0, 0, bgr.Width, bgr.Height), bgr.Width, bgr.Height);
        if (roi.Width < 8 || roi.Height < 8)
        {
            return [];
        }

        var size = InputSize;
        var scale = Math.Min((float)size / roi.Width, (float)size / roi.Height);
        var scaledW = Math.Max(1, (int)Math.Round(roi.Width * scale));
        var scaledH = Math.Max(1, (int)Math.Round(roi.Height * scale));
        var padX = (size - scaledW) / 2;
        var padY = (size - scaledH) / 2;

        var input = ArrayPool<float>.Shared.Rent(size * size * 3);
        try
        {
            using (var view = new Mat(bgr, roi))
            using (var resized = new Mat())
            {
                Cv2.Resize(view, resized, new Size(scaledW, scaledH), 0, 0, InterpolationFlags.Area);
                FillInput(resized, input.AsSpan(0, size * size * 3), padX, padY);
            }

            using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, size * size * 3), [1, size, size, 3]);
            using var outputs = _session.Run(_runOptions, [InputName], [tensor], OutputNames);
            var candidates = new List<FaceDetection>();
            var logitThreshold = MathF.Log(scoreThreshold / (1 - scoreThreshold));
            Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[2].GetTensorDataAsSpan<float>(), 0, candidates, roi, scale, padX, padY, logitThreshold);
            Decode(outputs[1].GetTensorDataAsSpan<float>(), outputs[3].GetTensorDataAsSpan<float>(), 512, candidates, roi, scale, padX, padY, logitThreshold);
            return WeightedNms.Apply(candidates, NmsThreshold);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private unsafe void FillInput(Mat resized, Span<float> input, int padX, int padY)
    {
        var size = InputSize;
        input.Clear(); // 0 = mid-grey in [-1, 1]
        var step = (int)resized.Step();
        var data = (byte*)resized.DataPointer;
        var height = resized.Height;
        var width = resized.Width;
        for (var y = 0; y < height; y++)
        {
            var row = data + (y * step);
            var o = (((y + padY) * size) + padX) * 3;
            for (var x = 0; x < width; x++, o += 3)
            {
                input[o] = (row[(3 * x) + 2] / 127.5f) - 1f;
                input[o + 1] = (row[(3 * x) + 1] / 127.5f) - 1f;
                input[o + 2] = (row[3 * x] / 127.5f) - 1f;
            }
        }
    }

    private void Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, int anchorOffset, List<FaceDetection> into, Rect roi, float scale, int padX, int padY, float logitThreshold)
    {
        var size = (float)InputSize;
        var count = scores.Length;
        for (var i = 0; i < count; i++)
        {
            var logit = Math.Clamp(scores[i], -100f, 100f);
            if (logit < logitThreshold)
            {
                continue;
            }

            var box = boxes.Slice(i * 16, 16);
            var cx = (box[0] / size) + _anchorX[anchorOffset + i];
            var cy = (box[1] / size) + _anchorY[anchorOffset + i];
            var w = box[2] / size;
            var h = box[3] / size;

            // Normalised letterbox coordinates → model pixels → region pixels → frame pixels.
            var x0 = ((((cx - (w / 2)) * size) - padX) / scale) + roi.X;
            var y0 = ((((cy - (h / 2)) * size) - padY) / scale) + roi.Y;
            into.Add(new FaceDetection(x0, y0, w * size / scale, h * size / scale, 1f / (1f + MathF.Exp(-logit))));
        }
    }

    private static (float[] X, float[] Y) Anchors()
    {
        // 16x16 grid with 2 anchors per cell, then 8x8 with 6 (three merged layers of 2), centres at cell middles.
        var xs = new List<float>(896);
        var ys = new List<float>(896);
        foreach (var (grid, perCell) in new[] { (16, 2), (8, 6) })
        {
            for (var y = 0; y < grid; y++)
            {
                for (var x = 0; x < grid; x++)
                {
                    for (var a = 0; a < perCell; a++)
                    {
                        xs.Add((x + 0.5f) / grid);
                        ys.Add((y + 0.5f) / grid);
                    }
                }
            }
        }

        return ([.. xs], [.. ys]);
    }

    private int ValidateModel(string path)
    {
        if (!_session.InputMetadata.TryGetValue(InputName, out var input) || input.Dimensions is not [1, var h, var w, 3] || h != w
            || input.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidDataException($"{path}: expected input '{InputName}' float [1,S,S,3]");
        }

        int[][] expected = [[1, 512, 1], [1, 384, 1], [1, 512, 16], [1, 384, 16]];
        for (var i = 0; i < OutputNames.Length; i++)
        {
            if (!_session.OutputMetadata.TryGetValue(OutputNames[i], out var meta) || !meta.Dimensions.SequenceEqual(expected[i]))
            {
                throw new InvalidDataException($"{path}: expected output '{OutputNames[i]}' [{string.Join(',', expected[i])}]");
            }
        }

        return h;
    }

    private static Rect Clip(Rect r, int width, int height)
    {
        var x0 = Math.Clamp(r.X, 0, width);
        var y0 = Math.Clamp(r.Y, 0, height);
        var x1 = Math.Clamp(r.X + r.Width, x0, width);
        var y1 = Math.Clamp(r.Y + r.Height, y0, height);
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }
}
