// Builds the package-cache entry hl7.fhir.r4.core#4.0.1 from the official R4
// definitions that ca.uhn.hapi.fhir:hapi-fhir-validation-resources-r4 carries
// as XML/JSON bundles. The npm registry we reach lists hl7.fhir.r4.core with no
// versions, so this is how the validator gets its core package offline.
// Run by setup.ts in Java's single-file source mode with the validator's jars
// on the classpath (their org.hl7.fhir.r4 parsers need no FHIR context).
// Usage: java -cp 'lib/*' CorePackage.java <package folder to create>
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.formats.IParser;
import org.hl7.fhir.r4.formats.JsonParser;
import org.hl7.fhir.r4.formats.XmlParser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;

public class CorePackage {
  static final String ROOT = "org/hl7/fhir/r4/model/";
  static final String[] BUNDLES = {
    "profile/profiles-types.xml", "profile/profiles-resources.xml", "profile/profiles-others.xml",
    "extension/extension-definitions.xml", "valueset/valuesets.xml", "valueset/v3-codesystems.xml",
    "valueset/v2-tables.xml", "sp/search-parameters.json",
  };

  static String json(String s) {
    return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0], "package");
    Files.createDirectories(dir);
    JsonParser out = new JsonParser();
    List<String> index = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String name : BUNDLES) {
      try (InputStream in = CorePackage.class.getClassLoader().getResourceAsStream(ROOT + name)) {
        if (in == null) throw new IllegalStateException("not on the classpath: " + ROOT + name);
        Bundle b = (Bundle) (name.endsWith(".json") ? new JsonParser() : new XmlParser()).parse(in);
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
          Resource r = e.getResource();
          if (r == null || !r.hasId()) continue;
          String file = r.fhirType() + "-" + r.getIdElement().getIdPart() + ".json";
          if (!seen.add(file)) continue; // the same resource in two bundles: keep the first
          Files.write(dir.resolve(file), out.composeBytes(r));
          StringBuilder row = new StringBuilder("{\"filename\":" + json(file) + ",\"resourceType\":" + json(r.fhirType()) + ",\"id\":" + json(r.getIdElement().getIdPart()));
          if (r instanceof MetadataResource m) row.append(",\"url\":" + json(m.getUrl()) + ",\"version\":" + json(m.getVersion()));
          if (r instanceof StructureDefinition sd) row.append(",\"kind\":" + json(sd.getKind().toCode()) + ",\"type\":" + json(sd.getType()));
          index.add(row.append("}").toString());
        }
      }
    }
    Files.writeString(dir.resolve(".index.json"), "{\"index-version\":1,\"files\":[\n" + String.join(",\n", index) + "\n]}\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("package.json"),
        "{\"name\":\"hl7.fhir.r4.core\",\"version\":\"4.0.1\",\"type\":\"Core\",\"canonical\":\"http://hl7.org/fhir\","
            + "\"fhirVersions\":[\"4.0.1\"],\"url\":\"http://hl7.org/fhir/R4\",\"title\":\"FHIR R4 core definitions (from hapi-fhir-validation-resources-r4)\","
            + "\"dependencies\":{}}\n", StandardCharsets.UTF_8);
    System.out.println(index.size() + " resources in " + dir);
  }
}
