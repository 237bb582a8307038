"""Builds the bad-input JARs for run.sh into the directory given:
corrupt.jar (not a zip), nodriver.jar (a JAR without any driver), boom.jar
(a driver whose static initialiser throws, declared in META-INF/services),
jars/h2-noservices.jar (H2 without META-INF/services: only FORKGUARD_DRIVERS
can load it), emptydir/ (no JARs); with a third argument, the compiled tiny
drivers there (fgtiny<N>/Driver.class) each become tiny/tiny<N>.jar with its
own service file."""
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
