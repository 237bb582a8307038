/* Names of the JNIEnv table's slots, for reports. */
#ifndef FG_JNI_NAMES_H
#define FG_JNI_NAMES_H

unsigned fg_jni_env_names_count(void);
const char *fg_jni_env_name(unsigned slot);

#endif
