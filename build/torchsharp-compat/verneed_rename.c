/*
 * verneed_rename FILE OLD NEW
 *
 * Rewrites one ELF64 version-need entry (.gnu.version_r) in place: the auxiliary entry
 * named OLD is made to point at the name and hash of the existing entry NEW, so the
 * dynamic loader no longer asks the library providing it for version OLD. Symbols bound
 * to that entry keep their version index and resolve to an unversioned definition (the
 * FogLens shim). Exit codes: 0 patched or nothing to do (OLD absent), 1 usage or I/O
 * error, 2 not an ELF64 little-endian file or NEW not found.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long elf_hash(const char *name) {
    unsigned long h = 0, g;
    while (*name) {
        h = (h << 4) + (unsigned char)*name++;
        if ((g = h & 0xf0000000UL) != 0) h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE OLD_VERSION NEW_VERSION\n", argv[0]);
        return 1;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f) { perror(argv[1]); return 1; }
    if (fseek(f, 0, SEEK_END) != 0) { perror("seek"); return 1; }
    long size = ftell(f);
    if (size < (long)sizeof(Elf64_Ehdr)) { fprintf(stderr, "%s: too small for ELF\n", argv[1]); return 2; }
    unsigned char *buf = malloc((size_t)size);
    if (!buf) { fprintf(stderr, "out of memory\n"); return 1; }
    rewind(f);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) { perror("read"); return 1; }

    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        fprintf(stderr, "%s: not an ELF64 little-endian file\n", argv[1]);
        return 2;
    }
    if (eh->e_shoff == 0 || eh->e_shoff + (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr) > (unsigned long)size) {
        fprintf(stderr, "%s: bad section header table\n", argv[1]);
        return 2;
    }
    Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
    Elf64_Shdr *verneed = NULL;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type == SHT_GNU_verneed) { verneed = &sh[i]; break; }
    }
    if (!verneed || verneed->sh_link >= eh->e_shnum) {
        fprintf(stderr, "%s: no version-need section\n", argv[1]);
        return 2;
    }
    Elf64_Shdr *strtab = &sh[verneed->sh_link];
    const char *strs = (const char *)(buf + strtab->sh_offset);

    Elf64_Vernaux *old_aux = NULL, *new_aux = NULL;
    unsigned long off = verneed->sh_offset;
    for (unsigned int n = 0; n < verneed->sh_info; n++) {
        if (off + sizeof(Elf64_Verneed) > (unsigned long)size) return 2;
        Elf64_Verneed *vn = (Elf64_Verneed *)(buf + off);
        unsigned long aoff = off + vn->vn_aux;
        for (unsigned int a = 0; a < vn->vn_cnt; a++) {
            if (aoff + sizeof(Elf64_Vernaux) > (unsigned long)size) return 2;
            Elf64_Vernaux *aux = (Elf64_Vernaux *)(buf + aoff);
            if (aux->vna_name < strtab->sh_size) {
                const char *name = strs + aux->vna_name;
                if (strcmp(name, argv[2]) == 0) old_aux = aux;
                else if (strcmp(name, argv[3]) == 0) new_aux = aux;
            }
            aoff += aux->vna_next;
            if (aux->vna_next == 0) break;
        }
        off += vn->vn_next;
        if (vn->vn_next == 0) break;
    }
    if (!old_aux) {
        printf("%s: no need for %s (already patched or not required)\n", argv[1], argv[2]);
        return 0;
    }
    if (!new_aux) {
        fprintf(stderr, "%s: replacement version %s not found among version needs\n", argv[1], argv[3]);
        return 2;
    }
    old_aux->vna_name = new_aux->vna_name;
    old_aux->vna_hash = (Elf64_Word)elf_hash(argv[3]);
    rewind(f);
    if (fwrite(buf, 1, (size_t)size, f) != (size_t)size || fclose(f) != 0) { perror("write"); return 1; }
    printf("%s: version need %s renamed to %s\n", argv[1], argv[2], argv[3]);
    free(buf);
    return 0;
}
