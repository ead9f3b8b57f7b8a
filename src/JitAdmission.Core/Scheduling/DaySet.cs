namespace JitAdmission.Core.Scheduling;

/// <summary>A set of weekdays; <see cref="Every"/> for an empty <c>days</c> list.</summary>
public readonly record struct DaySet(byte Mask)
{
    public static readonly DaySet Every = new(0x7F);

    public bool Contains(DayOfWeek day) => (Mask & (1 << (int)day)) != 0;

    public DaySet With(DayOfWeek day) => new((byte)(Mask | (1 << (int)day)));
}
