<#
    What the benchmarks share: the median they compare, and a process's CPU time read from /proc.
#>

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$ticksPerSecond = [double](& getconf CLK_TCK)

function Get-ProcessCpu([string] $Id = 'self') {
    <# CPU time (ms) a process has used so far: Own (utime + stime, /proc/<pid>/stat fields 14 and 15) and Children, of its reaped children (cutime + cstime, 16 and 17). #>
    $fields = ([IO.File]::ReadAllText("/proc/$Id/stat") -split '\) ', 2)[1].Split(' ')
    @{ Own = ([double]$fields[11] + [double]$fields[12]) * 1000 / $ticksPerSecond; Children = ([double]$fields[13] + [double]$fields[14]) * 1000 / $ticksPerSecond }
}

Export-ModuleMember -Function Get-Median, Get-ProcessCpu
