namespace GlobalUpgrade.Simulator.Admin;

/// <summary>The faults installed on one cluster; <see cref="Match"/> consumes one use of a limited fault.</summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];

    public void Add(FaultRule rule)
    {
        _ = rule.Regex; // fail on a bad pattern when it is installed, not when a request comes
        if (rule.Every is < 1)
        {
            throw Store.ApiException.BadRequest("every must be 1 or more");
        }

        rule.Until = rule.ForMs is { } window ? DateTimeOffset.UtcNow.AddMilliseconds(window) : null;
        lock (gate)
        {
            rules.Add(rule);
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    public IReadOnlyList<FaultRule> Snapshot()
    {
        lock (gate)
        {
            return rules.ToArray();
        }
    }

    public FaultRule? Match(string method, string pathAndQuery)
    {
        lock (gate)
        {
            rules.RemoveAll(r => r.Until < DateTimeOffset.UtcNow);
            foreach (var rule in rules)
            {
                if ((rule.Method is null || string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) && rule.Regex.IsMatch(pathAndQuery))
                {
                    if (rule.Every is { } every && ++rule.Seen % every != 0)
                    {
                        continue;
                    }

                    if (rule.Times is { } left)
                    {
                        if (left <= 1)
                        {
                            rules.Remove(rule);
                        }
                        else
                        {
                            rule.Times = left - 1;
                        }
                    }

                    return rule;
                }
            }

            return null;
        }
    }
}
