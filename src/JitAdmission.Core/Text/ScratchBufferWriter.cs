using System.Buffers;

namespace JitAdmission.Core.Text;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one pooled scratch buffer whose subclass consumes each commit at once
/// (<see cref="Advance"/>, reading <see cref="Committed"/>) and keeps nothing: Utf8JsonWriter commits everything it wrote
/// before it asks for memory again, so the buffer is always reused from 0.
/// </summary>
internal abstract class ScratchBufferWriter(int initialSize) : IBufferWriter<byte>, IDisposable
{
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(initialSize);

    public abstract void Advance(int count);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > _scratch.Length)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(sizeHint);
        }

        return _scratch;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Dispose() => ArrayPool<byte>.Shared.Return(_scratch);

    /// <summary>The first <paramref name="count"/> bytes written since the last commit.</summary>
    protected ReadOnlySpan<byte> Committed(int count) => _scratch.AsSpan(0, count);
}
