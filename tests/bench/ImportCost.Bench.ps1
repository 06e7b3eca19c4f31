<#
.SYNOPSIS
    Import cost of the module: 'pwsh -NoProfile -c Import-Module …' against 'pwsh -NoProfile -c $null', medians of -Runs (≥ 10) runs, interleaved in one run.
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys, [int] $Runs, [string] $OutputPath)
$ErrorActionPreference = 'Stop'
$Runs = [Math]::Max($Runs, 10)
function Measure-Start([string] $Command) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Command
    if ($LASTEXITCODE -ne 0) { throw "pwsh -c '$Command' failed" }
    $watch.Elapsed.TotalMilliseconds
}
function Get-Median([double[]] $Values) { $s = $Values | Sort-Object; if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$null = Measure-Start '$null'  # warm the disk cache for both
$null = Measure-Start "Import-Module '$ModulePath'"
$bare = [Collections.Generic.List[double]]::new()
$import = [Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $Runs; $i++) {
    $bare.Add((Measure-Start '$null'))
    $import.Add((Measure-Start "Import-Module '$ModulePath'"))
}
$bareMedian = Get-Median $bare
$importMedian = Get-Median $import
$ratio = $importMedian / $bareMedian
$section = @"
### Module import cost ($(Get-Date -Format 'yyyy-MM-dd'), $Runs runs each, interleaved)
| command | median |
|---|---|
| ``pwsh -NoProfile -c '`$null'`` | $([Math]::Round($bareMedian)) ms |
| ``pwsh -NoProfile -c 'Import-Module GlobalUpgrade.psd1'`` | $([Math]::Round($importMedian)) ms |
| ratio | **$([Math]::Round($ratio, 3))×** (goal: < 1.25×) |

"@
Set-Content (Join-Path $OutputPath 'ImportCost.md') $section
