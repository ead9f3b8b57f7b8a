using System.Security.Cryptography;
using JitAdmission.Core.Text;

namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// An <see cref="System.Buffers.IBufferWriter{T}"/> that hashes whatever is committed to it and keeps nothing, so a
/// fingerprint of a large object costs one small reusable buffer instead of a copy of the canonical JSON.
/// </summary>
internal sealed class HashingBufferWriter(IncrementalHash hash, int initialSize = 16 * 1024) : ScratchBufferWriter(initialSize)
{
    public override void Advance(int count) => hash.AppendData(Committed(count));
}
