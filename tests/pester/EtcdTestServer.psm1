<#
.SYNOPSIS
    Real etcd servers for the Pester tests, the docs examples and the benchmark: /usr/bin/etcd (Debian's
    etcd-server) on free loopback ports, a temporary data folder, TLS with client-certificate auth on one port
    (certificates made here) and plain HTTP on another, both serving the same data.
#>
Set-StrictMode -Version Latest

$script:EtcdPath = '/usr/bin/etcd'

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function New-EtcdTestPki {
    <# A CA, a server certificate for 127.0.0.1/localhost, a client certificate and an unrelated CA, as PEM files. #>
    param([string] $Path = (Join-Path ([IO.Path]::GetTempPath()) "gu-etcd-pki-$([guid]::NewGuid().ToString('N'))"))
    $null = New-Item -ItemType Directory -Force $Path
    $notBefore = [DateTimeOffset]::UtcNow.AddDays(-1)
    $notAfter = [DateTimeOffset]::UtcNow.AddDays(30)
    $sha256 = [Security.Cryptography.HashAlgorithmName]::SHA256
    function New-Ca([string] $Subject) {
        $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key, $sha256)
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign, DigitalSignature', $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension]::new($request.PublicKey, $false))
        $request.CreateSelfSigned($notBefore, $notAfter)
    }
    function New-Leaf($Ca, [string] $Name, [string] $Subject, [bool] $Server) {
        $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key, $sha256)
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($false, $false, 0, $true))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('DigitalSignature, KeyEncipherment', $true))
        $usages = [Security.Cryptography.OidCollection]::new()
        $null = $usages.Add([Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.2'))
        if ($Server) {
            $null = $usages.Add([Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))
            $names = [Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
            $names.AddIpAddress([Net.IPAddress]::Loopback)
            $names.AddDnsName('localhost')
            $request.CertificateExtensions.Add($names.Build())
        }
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($usages, $false))
        $request.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509AuthorityKeyIdentifierExtension]::CreateFromCertificate($Ca, $true, $false))
        $serial = [byte[]]::new(16); [Security.Cryptography.RandomNumberGenerator]::Fill($serial)
        $certificate = $request.Create($Ca, $notBefore, $notAfter, $serial)
        Set-Content -Path (Join-Path $Path "$Name.crt") -Value $certificate.ExportCertificatePem()
        Set-Content -Path (Join-Path $Path "$Name.key") -Value $key.ExportPkcs8PrivateKeyPem()
    }
    $ca = New-Ca 'CN=GlobalUpgrade test etcd CA'
    Set-Content -Path (Join-Path $Path 'ca.crt') -Value $ca.ExportCertificatePem()
    Set-Content -Path (Join-Path $Path 'other-ca.crt') -Value (New-Ca 'CN=Some other CA').ExportCertificatePem()
    New-Leaf $ca 'server' 'CN=etcd-test-server' $true
    New-Leaf $ca 'client' 'CN=apiserver-etcd-client' $false
    [pscustomobject]@{
        Path = $Path
        CaPath = Join-Path $Path 'ca.crt'
        OtherCaPath = Join-Path $Path 'other-ca.crt'
        ServerCertificatePath = Join-Path $Path 'server.crt'
        ServerKeyPath = Join-Path $Path 'server.key'
        ClientCertificatePath = Join-Path $Path 'client.crt'
        ClientKeyPath = Join-Path $Path 'client.key'
    }
}

function Start-EtcdTestServer {
    <#
    Starts etcd and waits until it answers. With -Pki: TLS with client-cert auth on TlsEndpoint and plain HTTP on
    PlainEndpoint; without: plain HTTP only (PlainEndpoint).
    #>
    param([Parameter(Mandatory)] [string] $Name, $Pki)
    if (-not (Test-Path $script:EtcdPath)) {
        throw "$script:EtcdPath is missing: the etcd tests need a real etcd. Install it with 'apt-get install etcd-server' (or run ./build.ps1 -Task Bootstrap as root)."
    }
    $root = if (Test-Path /dev/shm) { '/dev/shm' } else { [IO.Path]::GetTempPath() }
    # A free port is only free until someone takes it (another test's outgoing connection, a server starting): etcd
    # that finds its port taken is started again on new ones.
    for ($attempt = 1; ; $attempt++) {
        $data = Join-Path $root "gu-etcd-$Name-$([guid]::NewGuid().ToString('N'))"
        $plainPort = Get-FreePort; $peerPort = Get-FreePort
        $peer = "http://127.0.0.1:$peerPort"
        $plain = "http://127.0.0.1:$plainPort"
        $tls = if ($Pki) { "https://127.0.0.1:$(Get-FreePort)" }
        # tests/fixtures/etcd/start-etcd.sh holds the flags (shared with the xunit tests) and runs etcd in its place.
        $arguments = @((Join-Path $PSScriptRoot '../fixtures/etcd/start-etcd.sh'), $Name, $data, $peer)
        $arguments += if ($Pki) { "$tls,$plain", $tls, $Pki.CaPath, $Pki.ServerCertificatePath, $Pki.ServerKeyPath } else { $plain, $plain }
        $log = "$data.log"
        $process = Start-Process -FilePath bash -ArgumentList $arguments -PassThru -RedirectStandardError $log -RedirectStandardOutput "$data.out"
        $server = [pscustomobject]@{ Name = $Name; Process = $process; DataPath = $data; LogPath = $log; PlainEndpoint = $plain; TlsEndpoint = $tls }
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        $portTaken = $false
        while ($true) {
            if ($process.HasExited) {
                $output = Get-Content $log -Raw -ErrorAction Ignore
                if ($attempt -lt 5 -and $output -match 'address already in use') { $portTaken = $true; break }
                throw "etcd '$Name' exited with code $($process.ExitCode): $output"
            }
            try { $null = Invoke-RestMethod -Method Post -Uri "$plain/v3/maintenance/status" -Body '{}' -TimeoutSec 2; break }
            catch { if ([DateTime]::UtcNow -gt $deadline) { Stop-EtcdTestServer $server; throw "etcd '$Name' did not answer within 20 s: $_" } }
            Start-Sleep -Milliseconds 100
        }
        if (-not $portTaken) { return $server }
        Stop-EtcdTestServer $server
    }
}

function Stop-EtcdTestServer {
    param([Parameter(Mandatory, ValueFromPipeline)] $Server)
    process {
        if (-not $Server.Process.HasExited) { $Server.Process.Kill($true); $null = $Server.Process.WaitForExit(10000) }
        Remove-Item $Server.DataPath, $Server.LogPath, "$($Server.DataPath).out" -Recurse -Force -ErrorAction Ignore
    }
}

function Set-EtcdTestKey {
    <#
    Writes keys through etcd's JSON gateway (/v3/kv/txn), many puts per transaction: -Keys with one -Value, or
    -Pairs (an ordered dictionary key => value).
    #>
    param([Parameter(Mandatory)] [string] $Endpoint, [string[]] $Keys, [string] $Value = 'v', [Collections.IDictionary] $Pairs, [int] $BatchSize = 10000)
    $items = [Collections.Generic.List[string[]]]::new()
    if ($Pairs) { foreach ($entry in $Pairs.GetEnumerator()) { $items.Add([string[]]@($entry.Key, [string]$entry.Value)) } }
    else { foreach ($key in $Keys) { $items.Add([string[]]@($key, $Value)) } }
    $utf8 = [Text.Encoding]::UTF8
    for ($offset = 0; $offset -lt $items.Count; $offset += $BatchSize) {
        $body = [Text.StringBuilder]::new('{"success":[')
        $end = [Math]::Min($offset + $BatchSize, $items.Count)
        for ($i = $offset; $i -lt $end; $i++) {
            if ($i -gt $offset) { $null = $body.Append(',') }
            $null = $body.Append('{"requestPut":{"key":"').Append([Convert]::ToBase64String($utf8.GetBytes($items[$i][0]))).Append('","value":"').Append([Convert]::ToBase64String($utf8.GetBytes($items[$i][1]))).Append('"}}')
        }
        $null = $body.Append(']}')
        $null = Invoke-RestMethod -Method Post -Uri "$Endpoint/v3/kv/txn" -Body $body.ToString() -ContentType 'application/json' -TimeoutSec 120
    }
}

Export-ModuleMember -Function New-EtcdTestPki, Start-EtcdTestServer, Stop-EtcdTestServer, Set-EtcdTestKey, Get-FreePort
