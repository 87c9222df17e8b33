package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The BOM lists exactly the library modules of the build, at the build's version, so it cannot fall behind. */
class BomTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void bomManagesEveryLibraryModuleAtTheBuildVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        String version = child(parent.getDocumentElement(), "version");
        List<String> libraries = new ArrayList<>();
        NodeList modules = parent.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            String dir = modules.item(i).getTextContent().trim();
            if (dir.equals("bom") || dir.startsWith("examples")) continue; // examples are not a library
            libraries.add(child(read(ROOT.resolve(dir).resolve("pom.xml")).getDocumentElement(), "artifactId"));
        }
        assertTrue(libraries.containsAll(List.of("verifiers", "rl-core", "rollout", "recipes")), libraries.toString());

        Document bom = read(ROOT.resolve("bom/pom.xml"));
        assertEquals("r1j-bom", child(bom.getDocumentElement(), "artifactId"));
        assertEquals("pom", child(bom.getDocumentElement(), "packaging"));
        assertEquals(version, child(bom.getDocumentElement(), "version"), "the BOM's version is the build's");
        assertEquals(0, bom.getDocumentElement().getElementsByTagName("parent").getLength(), "no parent: pins R1J only");
        Map<String, String> managed = new TreeMap<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.r1j", child(d, "groupId"));
            managed.put(child(d, "artifactId"), child(d, "version"));
        }
        assertEquals(new java.util.TreeSet<>(libraries), managed.keySet(), "every library module, nothing else");
        managed.values().forEach(v -> assertEquals("${project.version}", v));
    }

    private static Document read(Path pom) throws Exception {
        assertTrue(Files.isRegularFile(pom), pom.toString());
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of {@code parent}'s direct child element {@code name}. */
    private static String child(Element parent, String name) {
        NodeList n = parent.getChildNodes();
        for (int i = 0; i < n.getLength(); i++) {
            if (n.item(i) instanceof Element e && e.getTagName().equals(name)) return e.getTextContent().trim();
        }
        throw new AssertionError(parent.getTagName() + " has no <" + name + ">");
    }
}
