using System.Buffers;
using System.Numerics;

namespace FogLens.Compression.Selection;

/// <summary>
/// Exact top-k without sorting the tensor: a strided sample estimates a threshold slightly below the
/// k-th key, one vectorised pass collects the (few) keys above it, and a three-way quickselect finds
/// the exact k-th key among them. Ties at the k-th key are broken by lower index, so the result equals
/// a stable sort's. Works over one tensor or several (global top-k).
/// </summary>
internal static class TopKSelector
{
    private const int SampleSize = 8192;

    public static float Key(float v, SelectionKey kind) => kind switch
    {
        SelectionKey.Positive => v > 0 ? v : 0f,
        SelectionKey.Negative => v < 0 ? -v : 0f,
        _ => MathF.Abs(v),
    };

    /// <summary>Finds the threshold that selects min(k, eligible) elements over <paramref name="segments"/> in order.</summary>
    public static SelectionThreshold Threshold(IReadOnlyList<ReadOnlyMemory<float>> segments, SelectionKey kind, long k)
    {
        if (k <= 0)
        {
            return SelectionThreshold.None;
        }

        long total = 0;
        foreach (var s in segments)
        {
            total += s.Length;
        }

        if (total == 0)
        {
            return SelectionThreshold.None;
        }

        var candidateFloor = EstimateCandidateFloor(segments, kind, k, total);
        var candidates = new PooledList<float>((int)Math.Min(total, Math.Max(1024, k * 2)));
        try
        {
            if (candidateFloor > 0)
            {
                foreach (var s in segments)
                {
                    CollectKeysAtLeast(s.Span, kind, candidateFloor, ref candidates);
                }
            }

            if (candidateFloor <= 0 || candidates.Count < k)
            {
                // Sampling was unlucky or eligible keys are rare: take every eligible key.
                candidates.Clear();
                foreach (var s in segments)
                {
                    CollectKeysAtLeast(s.Span, kind, float.Epsilon, ref candidates);
                }

                if (candidates.Count <= k)
                {
                    return SelectionThreshold.All;
                }
            }

            return Finish(ref candidates, k);
        }
        finally
        {
            candidates.Dispose();
        }
    }

    /// <summary>
    /// Writes the indices selected by <paramref name="tau"/> (and the tie quota) in ascending order into
    /// <paramref name="destination"/>; <paramref name="tiesLeft"/> carries the tie quota across segments.
    /// Returns how many were written.
    /// </summary>
    public static int Collect(ReadOnlySpan<float> values, SelectionKey kind, float tau, ref long tiesLeft, ref PooledList<int> destination)
    {
        var start = destination.Count;
        if (float.IsPositiveInfinity(tau))
        {
            return 0;
        }

        var (up, down) = Bounds(kind, tau > 0 ? tau : float.Epsilon);
        for (var i = NextChunk(values, 0, up, down); i < values.Length;)
        {
            var end = ChunkEnd(values, i);
            for (var j = i; j < end; j++)
            {
                TakeIfSelected(values[j], j, kind, tau, ref tiesLeft, ref destination);
            }

            i = NextChunk(values, end, up, down);
        }

        return destination.Count - start;
    }

    /// <summary>
    /// Splits a global threshold's tie quota over the segments in order, as a stable sort over their
    /// concatenation would: each segment takes ties until the quota is used up.
    /// </summary>
    public static long[] SplitTieQuota(IReadOnlyList<ReadOnlyMemory<float>> segments, SelectionKey kind, SelectionThreshold threshold)
    {
        var quotas = new long[segments.Count];
        var left = threshold.TieQuota;
        for (var t = 0; t < segments.Count; t++)
        {
            quotas[t] = Math.Min(left, CountEqual(segments[t].Span, kind, threshold.Tau));
            left -= quotas[t];
        }

        return quotas;
    }

    /// <summary>Counts elements whose key equals <paramref name="tau"/> (for splitting a global tie quota).</summary>
    public static long CountEqual(ReadOnlySpan<float> values, SelectionKey kind, float tau)
    {
        if (tau <= 0 || float.IsPositiveInfinity(tau))
        {
            return 0;
        }

        long count = 0;
        foreach (var v in values)
        {
            if (Key(v, kind) == tau)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Thresholds for the k largest positive and the k most negative values at once (SBC): one sample
    /// and one candidate pass serve both signs.
    /// </summary>
    public static (SelectionThreshold Positive, SelectionThreshold Negative) ThresholdBothSigns(IReadOnlyList<ReadOnlyMemory<float>> segments, long k)
    {
        if (k <= 0)
        {
            return (SelectionThreshold.None, SelectionThreshold.None);
        }

        long total = 0;
        foreach (var s in segments)
        {
            total += s.Length;
        }

        if (total == 0)
        {
            return (SelectionThreshold.None, SelectionThreshold.None);
        }

        var floorPositive = EstimateCandidateFloor(segments, SelectionKey.Positive, k, total);
        var floorNegative = EstimateCandidateFloor(segments, SelectionKey.Negative, k, total);
        if (floorPositive <= 0 || floorNegative <= 0)
        {
            return (Threshold(segments, SelectionKey.Positive, k), Threshold(segments, SelectionKey.Negative, k));
        }

        var capacity = (int)Math.Min(total, Math.Max(1024, k * 2));
        var positive = new PooledList<float>(capacity);
        var negative = new PooledList<float>(capacity);
        try
        {
            foreach (var s in segments)
            {
                CollectBothSignsAtLeast(s.Span, floorPositive, floorNegative, ref positive, ref negative);
            }

            var pos = positive.Count >= k ? Finish(ref positive, k) : Threshold(segments, SelectionKey.Positive, k);
            var neg = negative.Count >= k ? Finish(ref negative, k) : Threshold(segments, SelectionKey.Negative, k);
            return (pos, neg);
        }
        finally
        {
            positive.Dispose();
            negative.Dispose();
        }
    }

    /// <summary>Collects the positions selected by both thresholds in one pass (each list ascending).</summary>
    public static void CollectBothSigns(
        ReadOnlySpan<float> values,
        SelectionThreshold positive,
        ref long positiveTies,
        ref PooledList<int> positiveIndices,
        SelectionThreshold negative,
        ref long negativeTies,
        ref PooledList<int> negativeIndices)
    {
        var up = positive.Tau > 0 ? positive.Tau : float.Epsilon;
        var down = -(negative.Tau > 0 ? negative.Tau : float.Epsilon);
        for (var i = NextChunk(values, 0, up, down); i < values.Length;)
        {
            var end = ChunkEnd(values, i);
            for (var j = i; j < end; j++)
            {
                TakeIfSelected(values[j], j, SelectionKey.Positive, positive.Tau, ref positiveTies, ref positiveIndices);
                TakeIfSelected(values[j], j, SelectionKey.Negative, negative.Tau, ref negativeTies, ref negativeIndices);
            }

            i = NextChunk(values, end, up, down);
        }
    }

    /// <summary>The element of ascending rank <paramref name="rank"/> (0-based); reorders <paramref name="a"/>.</summary>
    public static float SelectAscending(Span<float> a, int rank)
    {
        var lo = 0;
        var hi = a.Length - 1;
        while (true)
        {
            if (lo >= hi)
            {
                return a[rank];
            }

            var mid = lo + ((hi - lo) / 2);
            var pivot = MedianOfThree(a[lo], a[mid], a[hi]);
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                var x = a[i];
                if (x < pivot)
                {
                    (a[lt], a[i]) = (a[i], a[lt]);
                    lt++;
                    i++;
                }
                else if (x > pivot)
                {
                    (a[i], a[gt]) = (a[gt], a[i]);
                    gt--;
                }
                else
                {
                    i++;
                }
            }

            if (rank < lt)
            {
                hi = lt - 1;
            }
            else if (rank > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return pivot;
            }
        }
    }

    /// <summary>Exact threshold from candidate keys that include the k largest.</summary>
    private static SelectionThreshold Finish(ref PooledList<float> candidates, long k)
    {
        if (candidates.Count <= k)
        {
            return SelectionThreshold.All;
        }

        var keys = candidates.AsSpan();
        var tau = SelectAscending(keys, keys.Length - (int)k);
        long greater = 0;
        foreach (var key in candidates.AsSpan())
        {
            if (key > tau)
            {
                greater++;
            }
        }

        return new SelectionThreshold(tau, k - greater);
    }

    private static void CollectBothSignsAtLeast(ReadOnlySpan<float> values, float floorPositive, float floorNegative, ref PooledList<float> positive, ref PooledList<float> negative)
    {
        for (var i = NextChunk(values, 0, floorPositive, -floorNegative); i < values.Length;)
        {
            var end = ChunkEnd(values, i);
            for (var j = i; j < end; j++)
            {
                AddCandidate(values[j], floorPositive, floorNegative, ref positive, ref negative);
            }

            i = NextChunk(values, end, floorPositive, -floorNegative);
        }
    }

    private static void AddCandidate(float v, float floorPositive, float floorNegative, ref PooledList<float> positive, ref PooledList<float> negative)
    {
        if (v >= floorPositive)
        {
            positive.Add(v);
        }
        else if (-v >= floorNegative)
        {
            negative.Add(-v);
        }
    }

    private static float EstimateCandidateFloor(IReadOnlyList<ReadOnlyMemory<float>> segments, SelectionKey kind, long k, long total)
    {
        if (total <= SampleSize * 4L)
        {
            return 0f;
        }

        var sample = ArrayPool<float>.Shared.Rent(SampleSize);
        try
        {
            var stride = (double)total / SampleSize;
            var m = 0;
            var segment = 0;
            long segmentStart = 0;
            for (var j = 0; j < SampleSize; j++)
            {
                var position = (long)(j * stride);
                while (position >= segmentStart + segments[segment].Length)
                {
                    segmentStart += segments[segment].Length;
                    segment++;
                }

                var key = Key(segments[segment].Span[(int)(position - segmentStart)], kind);
                if (key > 0)
                {
                    sample[m++] = key;
                }
            }

            // Expected sample rank of the k-th key, widened by a safety margin of a few standard deviations.
            var expectedRank = (double)k * SampleSize / total;
            var rank = (long)(expectedRank * 1.25 + (4 * Math.Sqrt(expectedRank)) + 16);
            if (m == 0 || rank >= m)
            {
                return 0f;
            }

            var keys = sample.AsSpan(0, m);
            return SelectAscending(keys, m - 1 - (int)rank);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sample);
        }
    }

    private static void CollectKeysAtLeast(ReadOnlySpan<float> values, SelectionKey kind, float floor, ref PooledList<float> keys)
    {
        var (up, down) = Bounds(kind, floor);
        for (var i = NextChunk(values, 0, up, down); i < values.Length;)
        {
            var end = ChunkEnd(values, i);
            for (var j = i; j < end; j++)
            {
                var key = Key(values[j], kind);
                if (key >= floor)
                {
                    keys.Add(key);
                }
            }

            i = NextChunk(values, end, up, down);
        }
    }

    /// <summary>A key of at least <paramref name="floor"/> means a value ≥ Up or ≤ Down.</summary>
    private static (float Up, float Down) Bounds(SelectionKey kind, float floor) => kind switch
    {
        SelectionKey.Positive => (floor, float.NegativeInfinity),
        SelectionKey.Negative => (float.PositiveInfinity, -floor),
        _ => (floor, -floor),
    };

    /// <summary>
    /// Start of the next vector-wide chunk (from <paramref name="start"/>) holding a value ≥ <paramref name="up"/>
    /// or ≤ <paramref name="down"/>; chunks without one are skipped with one vector compare each. The tail
    /// shorter than a vector (or everything, without SIMD) is returned for a scalar scan.
    /// </summary>
    private static int NextChunk(ReadOnlySpan<float> values, int start, float up, float down)
    {
        var width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated)
        {
            return start;
        }

        var upper = new Vector<float>(up);
        var lower = new Vector<float>(down);
        for (; start <= values.Length - width; start += width)
        {
            var v = new Vector<float>(values.Slice(start, width));
            if (Vector.GreaterThanOrEqualAny(v, upper) || Vector.LessThanOrEqualAny(v, lower))
            {
                return start;
            }
        }

        return start;
    }

    /// <summary>End of the chunk that starts at <paramref name="start"/> (a vector's width, or the rest).</summary>
    private static int ChunkEnd(ReadOnlySpan<float> values, int start) =>
        Vector.IsHardwareAccelerated && start <= values.Length - Vector<float>.Count ? start + Vector<float>.Count : values.Length;

    private static void TakeIfSelected(float value, int index, SelectionKey kind, float tau, ref long tiesLeft, ref PooledList<int> destination)
    {
        var key = Key(value, kind);
        if (key <= 0)
        {
            return;
        }

        if (key > tau)
        {
            destination.Add(index);
        }
        else if (key == tau && tiesLeft > 0)
        {
            destination.Add(index);
            tiesLeft--;
        }
    }

    private static float MedianOfThree(float a, float b, float c) =>
        a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
}
