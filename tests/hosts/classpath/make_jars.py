"""Builds the bad-input JARs for run.sh into the directory given:
corrupt.jar (not a zip), nodriver.jar (a JAR without any driver), boom.jar
(a driver whose static initialiser throws, declared in META-INF/services),
jars/h2-noservices.jar (H2 without META-INF/services: only FORKGUARD_DRIVERS
can load it), emptydir/ (no JARs); with a third argument, the compiled tiny
drivers there (fgtiny<N>/Driver.class) each become tiny/tiny<N>.jar with its
own service file, and tiny/odd/ holds JARs of unusual but valid layouts, each
with one tiny driver: a launcher script before the zip (tiny1), a stored
service file (tiny2), a ZIP64 directory of 66,000 entries (tiny3), an
archive comment holding an END signature (tiny4); and a truncated copy of
tiny5.jar, which is not a readable JAR."""
import io
import os
import sys
import zipfile

out, classes = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "emptydir"), exist_ok=True)
os.makedirs(os.path.join(out, "jars"), exist_ok=True)
with open(os.path.join(out, "corrupt.jar"), "w") as f:
    f.write("this is not a zip file\n")
with zipfile.ZipFile(os.path.join(out, "nodriver.jar"), "w") as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
with zipfile.ZipFile(os.path.join(out, "boom.jar"), "w") as z:
    z.write(os.path.join(classes, "BoomDriver.class"), "BoomDriver.class")
    z.writestr("META-INF/services/java.sql.Driver", "BoomDriver\n")
src = zipfile.ZipFile("/usr/share/java/h2.jar")
with zipfile.ZipFile(os.path.join(out, "jars", "h2-noservices.jar"), "w") as z:
    for info in src.infolist():
        if "META-INF/services/" not in info.filename:
            z.writestr(info, src.read(info.filename))

if len(sys.argv) > 3:
    tiny = sys.argv[3]
    os.makedirs(os.path.join(out, "tiny"), exist_ok=True)
    for pkg in sorted(os.listdir(tiny)):
        n = pkg[len("fgtiny"):]
        with zipfile.ZipFile(os.path.join(out, "tiny", "tiny%s.jar" % n), "w") as z:
            z.write(os.path.join(tiny, pkg, "Driver.class"), pkg + "/Driver.class")
            z.writestr("META-INF/services/java.sql.Driver", "# tiny driver %s\n%s.Driver\n" % (n, pkg))
    odd = os.path.join(out, "tiny", "odd")
    os.makedirs(odd, exist_ok=True)

    def tiny_jar(path, n, compression=zipfile.ZIP_DEFLATED, prefix=b"", filler=0, comment=b""):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression) as z:
            for i in range(filler):
                z.writestr("filler/%d" % i, b"")
            z.write(os.path.join(tiny, "fgtiny%d" % n, "Driver.class"), "fgtiny%d/Driver.class" % n)
            z.writestr("META-INF/services/java.sql.Driver", "fgtiny%d.Driver\n" % n)
            z.comment = comment
        with open(path, "wb") as f:
            f.write(prefix + buf.getvalue())

    tiny_jar(os.path.join(odd, "1-prefixed.jar"), 1, prefix=b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n")
    tiny_jar(os.path.join(odd, "2-stored.jar"), 2, compression=zipfile.ZIP_STORED)
    tiny_jar(os.path.join(odd, "3-zip64.jar"), 3, compression=zipfile.ZIP_STORED, filler=66000)
    tiny_jar(os.path.join(odd, "4-comment.jar"), 4, comment=b"PK\x05\x06 looks like an END record")
    with open(os.path.join(out, "tiny", "tiny5.jar"), "rb") as f:
        whole = f.read()
    with open(os.path.join(odd, "5-truncated.jar"), "wb") as f:
        f.write(whole[:len(whole) // 2])
