<#
.SYNOPSIS
    Import cost of the module: 'pwsh -NoProfile -c Import-Module …' against 'pwsh -NoProfile -c $null', medians of -Runs (≥ 10) runs, interleaved in one run.
.DESCRIPTION
    Then where the import's time goes, measured inside fresh processes (the Import-Module command alone, and the
    methods the process JIT-compiled during it): the manifest as shipped, the same manifest without its format file,
    and the cmdlet assembly imported alone (no manifest), from a copy of the module in a temporary folder.
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
Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force

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

# Where the import goes: the command timed inside a fresh process, with the methods JIT-compiled during it.
$copy = Join-Path ([IO.Path]::GetTempPath()) "gu-import-bench-$PID"
try {
    $null = New-Item -ItemType Directory -Force $copy
    Copy-Item (Split-Path $ModulePath) (Join-Path $copy 'shipped') -Recurse
    Copy-Item (Split-Path $ModulePath) (Join-Path $copy 'noformats') -Recurse
    $noFormats = Join-Path $copy 'noformats/GlobalUpgrade.psd1'
    Set-Content $noFormats ((Get-Content $noFormats) -notmatch '^\s*FormatsToProcess\s*=')
    $variants = [ordered]@{
        'the manifest as shipped' = Join-Path $copy 'shipped/GlobalUpgrade.psd1'
        'the manifest without its format file' = $noFormats
        'the cmdlet assembly alone (GlobalUpgrade.dll, no manifest)' = Join-Path $copy 'shipped/GlobalUpgrade.dll'
    }
    $inside = [ordered]@{}
    foreach ($name in $variants.Keys) { $inside[$name] = [Collections.Generic.List[object]]::new() }
    for ($i = 0; $i -lt $Runs; $i++) {
        foreach ($name in $variants.Keys) {
            $line = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command @"
`$methods = [Runtime.JitInfo]::GetCompiledMethodCount(`$false); `$watch = [Diagnostics.Stopwatch]::StartNew()
Import-Module '$($variants[$name])'
'{0} {1}' -f `$watch.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture), ([Runtime.JitInfo]::GetCompiledMethodCount(`$false) - `$methods)
"@
            if ($LASTEXITCODE -ne 0) { throw "Importing $($variants[$name]) failed: $line" }
            $ms, $methods = "$line".Split(' ')
            $inside[$name].Add([pscustomobject]@{ Ms = [double]::Parse($ms, [cultureinfo]::InvariantCulture); Methods = [double]$methods })
        }
    }
}
finally {
    Remove-Item $copy -Recurse -Force -ErrorAction Ignore
}
$breakdown = foreach ($name in $inside.Keys) {
    '| {0} | {1:N0} ms | {2:N0} |' -f $name, (Get-Median $inside[$name].Ms), (Get-Median $inside[$name].Methods)
}

$section = @"
### Module import cost ($(Get-Date -Format 'yyyy-MM-dd'), $Runs runs each, interleaved)
| command | median |
|---|---|
| ``pwsh -NoProfile -c '`$null'`` | $([Math]::Round($bareMedian)) ms |
| ``pwsh -NoProfile -c 'Import-Module GlobalUpgrade.psd1'`` | $([Math]::Round($importMedian)) ms |
| ratio | **$([Math]::Round($ratio, 3))×** (goal: < 1.25×) |

Where the import goes: the ``Import-Module`` command alone, timed inside a fresh process, and the methods the process
JIT-compiled during it (medians of $Runs runs each, interleaved; a copy of the module):

| imported | Import-Module | methods JIT-compiled |
|---|---|---|
$($breakdown -join "`n")

"@
Set-Content (Join-Path $OutputPath 'ImportCost.md') $section
