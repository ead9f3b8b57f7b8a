namespace JitAdmission.Core.Approval;

/// <summary>
/// Assigns approving reviewers to the approver entries of one policy so that nobody counts twice — across entries as
/// well as within one — as a maximum bipartite matching with capacities (entry i takes up to MinApprovals reviewers). Reviewers are
/// added in review order and each addition augments the matching, so the review that completes it is known.
/// </summary>
internal sealed class ApproverMatching
{
    private readonly IReadOnlyList<ApproverEntry> _entries;
    private readonly List<string>[] _assigned;
    private readonly List<List<int>> _eligible = [];
    private readonly List<string> _reviewers = [];
    private readonly Dictionary<string, int> _reviewerIndex = new(StringComparer.Ordinal);

    public ApproverMatching(IReadOnlyList<ApproverEntry> entries)
    {
        _entries = entries;
        _assigned = [.. entries.Select(_ => new List<string>())];
    }

    public int Matched { get; private set; }

    public int Need => _entries.Sum(e => e.MinApprovals);

    public bool IsComplete => _entries.Count > 0 && Matched == Need;

    /// <summary>Reviewers assigned to entry <paramref name="entry"/>, in the order they were added.</summary>
    public IReadOnlyList<string> AssignedTo(int entry) =>
        [.. _assigned[entry].OrderBy(r => _reviewerIndex[r])];

    /// <summary>Adds an approving reviewer eligible for the given entries; true when the matching grew.</summary>
    public bool Add(string reviewer, IEnumerable<int> eligibleEntries)
    {
        if (_reviewerIndex.ContainsKey(reviewer)) return false;
        _reviewerIndex[reviewer] = _reviewers.Count;
        _reviewers.Add(reviewer);
        _eligible.Add([.. eligibleEntries]);
        var visited = new bool[_entries.Count];
        if (!Augment(_reviewers.Count - 1, visited)) return false;
        Matched++;
        return true;
    }

    // Kuhn's augmenting path from a new reviewer: a free seat in an eligible entry, or an entry whose current holder
    // can move to another entry. Adding one vertex grows a maximum matching by at most one, found this way.
    private bool Augment(int reviewer, bool[] visited)
    {
        foreach (var entry in _eligible[reviewer])
        {
            if (visited[entry]) continue;
            visited[entry] = true;
            if (_assigned[entry].Count < _entries[entry].MinApprovals)
            {
                _assigned[entry].Add(_reviewers[reviewer]);
                return true;
            }

            foreach (var holder in _assigned[entry].ToList())
            {
                if (!Augment(_reviewerIndex[holder], visited)) continue;
                _assigned[entry].Remove(holder);
                _assigned[entry].Add(_reviewers[reviewer]);
                return true;
            }
        }

        return false;
    }
}
